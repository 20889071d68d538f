/// Why a gateway config cannot be rendered for Envoy. The loader's validation rules these out, so
/// seeing one means a config was built by hand (or a validation rule is missing).
public enum EnvoyBootstrapError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A backend names a provider the config does not have.
    case unknownProvider(backend: String, provider: String)
    /// Two models sanitize to the same cluster name.
    case duplicateCluster(name: String)
    /// Writing an xDS file failed.
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownProvider(let backend, let provider):
            "backend \(backend) names provider '\(provider)', which is not in providers:"
        case .duplicateCluster(let name):
            "two models render to the same Envoy cluster \(name)"
        case .cannotWrite(let path, let reason):
            "cannot write \(path): \(reason)"
        }
    }
}

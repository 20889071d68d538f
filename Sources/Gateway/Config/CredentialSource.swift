/// Where a provider's secret comes from. The secret itself is never part of the config values:
/// it is read when a `GatewaySnapshot` is built and lives only in the snapshot's credentials.
public enum CredentialSource: Sendable, Hashable, CustomStringConvertible {
    /// A file holding the secret, trimmed of surrounding whitespace; re-read when the file changes
    /// (a Kubernetes Secret mount swaps a symlink).
    case file(path: String)
    /// An environment variable, read when the snapshot is built.
    case environment(name: String)

    /// Names the source, never the secret: `file /var/run/secrets/openai` or `env OPENAI_API_KEY`.
    public var description: String {
        switch self {
        case .file(let path): "file \(path)"
        case .environment(let name): "env \(name)"
        }
    }
}

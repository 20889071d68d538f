/// Where Envoy reaches Tollgate's ext_proc server: the `tollgate` cluster's single endpoint.
public enum EnvoyTollgateEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `server.socket`: a Unix socket path (Envoy's `pipe` address).
    case unixSocket(path: String)
    /// `server.listen`: TCP. A wildcard host (`0.0.0.0`, `::`, empty) is reached over loopback.
    case tcp(host: String, port: Int)

    public var description: String {
        switch self {
        case .unixSocket(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}

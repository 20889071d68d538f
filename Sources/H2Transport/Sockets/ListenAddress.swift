/// Where a listener binds: a TCP host and port, or a Unix socket path.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    case tcp(host: String, port: Int)
    /// `mode`: the socket file's permission bits, set right after it is bound; nil leaves what the
    /// umask gave. Connecting needs write permission, so this says who may talk to the server.
    case unix(path: String, mode: UInt32? = nil)

    /// Parses `host:port` (IPv4, or `[v6]:port`) into a TCP address.
    public static func tcp(parsing text: String) -> ListenAddress? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        return .tcp(host: host, port: port)
    }

    public var description: String {
        switch self {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path, _): "unix:\(path)"
        }
    }
}

import H2Transport

/// A TCP `host:port` from the config or a flag: IPv4 (`127.0.0.1:9190`), bracketed IPv6
/// (`[::1]:9190`), a name (`localhost:9190`), or `:9190` for every address. Port 0 asks the
/// kernel for a free port, which tests use.
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// What an error message says was expected.
    static let expected = "host:port"

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Follows the transport's own parsing, so config and listener agree on what an address means.
    public init?(parsing text: String) {
        switch ListenAddress.tcp(parsing: text) {
        case .tcp(let host, let port):
            self.init(host: host, port: port)
        case .unix, nil:
            return nil
        }
    }

    public var listenAddress: ListenAddress {
        .tcp(host: host, port: port)
    }

    public var description: String {
        listenAddress.description
    }
}

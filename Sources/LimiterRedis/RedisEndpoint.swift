/// Where the shared counters live and how long a call may take: what `storage.redis` configures.
///
/// `description` names the server and database, never the password.
public struct RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Sent with AUTH on every new connection; nil for a server without one.
    public var password: String?
    /// SELECTed on every new connection.
    public var database: Int
    /// Every key of the store starts with it, so several fleets (or other programs) can share a server.
    public var keyPrefix: String
    /// Bounds a connect and each command's read and write: a reservation waits at most about this long
    /// before the store answers `unavailable`.
    public var timeout: Duration

    public static let defaultKeyPrefix = "tollgate:"
    public static let defaultTimeout: Duration = .milliseconds(50)

    public init(
        host: String,
        port: Int = 6379,
        password: String? = nil,
        database: Int = 0,
        keyPrefix: String = RedisEndpoint.defaultKeyPrefix,
        timeout: Duration = RedisEndpoint.defaultTimeout
    ) {
        self.host = host
        self.port = port
        self.password = password
        self.database = database
        self.keyPrefix = keyPrefix
        self.timeout = timeout
    }

    public var description: String {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return "redis://\(address)/\(database)"
    }
}

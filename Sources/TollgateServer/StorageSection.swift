/// The `storage:` section: the SQLite file Tollgate keeps its state in, shared by the usage ledger
/// and the limiter's counters (each with its own tables and migrations).
///
/// ```yaml
/// storage:
///   path: /var/lib/tollgate/tollgate.db   # relative paths are taken from the config file's directory
///   busy_timeout_ms: 5000                 # how long one write waits for another connection's lock
/// ```
/// Without `path` nothing is stored: no usage ledger, and limiter counters live in memory only.
/// The directory must exist and be writable (SQLite adds `-wal` and `-shm` files beside the database).
/// With `redis:` (`RedisStorageConfig`) the limiter's counters live in Redis, shared by replicas.
public struct StorageSection: ConfigSection {
    static let key = "storage"

    /// The database file, absolute or relative to the working directory once resolved.
    public var path: String?
    public var busyTimeoutMilliseconds = 5000
    /// The limiter's shared counters; nil to keep them in this process.
    public var redis: RedisStorageConfig?

    static let pathExpected = "a file path"
    static let busyTimeoutRange = 0...600_000

    public init() {}

    init(from mapping: inout ConfigMapping) throws(ConfigError) {
        let directory = Self.directory(of: mapping.file)
        path = try mapping.text("path", expected: Self.pathExpected) { text in
            guard !text.isEmpty, !text.hasSuffix("/"), !text.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                return nil
            }
            return text.hasPrefix("/") || directory.isEmpty ? text : "\(directory)/\(text)"
        }
        busyTimeoutMilliseconds =
            try mapping.integer("busy_timeout_ms", in: Self.busyTimeoutRange) ?? busyTimeoutMilliseconds
        if mapping.line(of: "redis") != nil {
            var redisMapping = try mapping.mapping("redis")
            redis = try RedisStorageConfig(from: &redisMapping, directory: directory)
        } else {
            _ = try mapping.mapping("redis")
        }
    }

    public var busyTimeout: Duration {
        .milliseconds(busyTimeoutMilliseconds)
    }

    /// The config file's directory; empty when its name has none (then the working directory applies).
    private static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else {
            return ""
        }
        return file[..<slash].isEmpty ? "/" : String(file[..<slash])
    }
}

/// `storage.redis:`: the limiter's counters in a Redis server shared by every replica of a fleet
/// (README "Shared limits with Redis"), instead of in each process.
///
/// ```yaml
/// storage:
///   redis:
///     url: redis://10.0.0.5:6379/0        # redis://host[:port][/db]; no password here
///     password_file: /run/secrets/redis   # optional; relative paths from the config file's directory
///     key_prefix: "tollgate:"             # every key starts with it
///     timeout_ms: 50                      # connect and each command
///     on_unavailable: fail_closed         # or local: this process's own counters while Redis is down
/// ```
/// A password written in the URL is refused (and never repeated in the error), so it cannot end up
/// in a config dump or a log; the file is read at startup, trimmed of surrounding whitespace.
public struct RedisStorageConfig: Sendable, Equatable {
    /// What the limiter does when Redis cannot be reached.
    public enum OnUnavailable: String, Sendable, Equatable, CaseIterable {
        /// Refuse requests that a limit applies to, with 503 and Retry-After.
        case failClosed = "fail_closed"
        /// Count in this process while Redis is down (each replica on its own).
        case local
    }

    public var host: String
    public var port = 6379
    public var database = 0
    public var passwordFile: String?
    public var keyPrefix = "tollgate:"
    public var timeoutMilliseconds = 50
    public var onUnavailable = OnUnavailable.failClosed

    static let urlExpected = "a URL redis://host[:port][/db]"
    static let timeoutRange = 1...10_000
    static let databaseRange = 0...65_535

    public init(host: String) {
        self.host = host
    }

    init(from mapping: inout ConfigMapping, directory: String) throws(ConfigError) {
        // Not quoted in errors: a URL with a password would repeat it.
        guard let url = try mapping.text("url", expected: Self.urlExpected, quoting: false, { $0 }) else {
            throw mapping.missing("url")
        }
        if url.contains("@") {
            throw mapping.invalid("url", "a password does not go in the URL; put it in 'password_file'")
        }
        guard let (host, port, database) = Self.parse(url: url) else {
            throw mapping.invalid("url", "expected \(Self.urlExpected), with a port in 1...65535 and a db in 0...65535")
        }
        self.host = host
        self.port = port
        self.database = database
        passwordFile = try mapping.text("password_file", expected: "a file path") { text in
            text.isEmpty || text.hasSuffix("/")
                ? nil : text.hasPrefix("/") || directory.isEmpty ? text : "\(directory)/\(text)"
        }
        keyPrefix =
            try mapping.text("key_prefix", expected: "up to 100 printable characters without spaces") { text in
                text.count <= 100 && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7f }
                    ? text : nil
            } ?? keyPrefix
        timeoutMilliseconds = try mapping.integer("timeout_ms", in: Self.timeoutRange) ?? timeoutMilliseconds
        onUnavailable =
            try mapping.text(
                "on_unavailable",
                expected: OnUnavailable.allCases.map(\.rawValue).joined(separator: " or ")
            ) { OnUnavailable(rawValue: $0) } ?? onUnavailable
        try mapping.rejectUnknownKeys()
    }

    public var timeout: Duration {
        .milliseconds(timeoutMilliseconds)
    }

    /// `redis://host[:port][/db]`, host a name, an IPv4 address or a bracketed IPv6 address.
    static func parse(url: String) -> (host: String, port: Int, database: Int)? {
        guard url.hasPrefix("redis://") else { return nil }
        var rest = Substring(url.dropFirst("redis://".count))
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            if !path.isEmpty {
                guard let number = Int(path), databaseRange.contains(number) else { return nil }
                database = number
            }
            rest = rest[..<slash]
        }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        var port = 6379
        if let portText {
            guard let number = Int(portText), (1...65_535).contains(number) else { return nil }
            port = number
        }
        let allowed = host.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "." || $0 == "-"
                || $0 == ":" || $0 == "_"
        }
        guard !host.isEmpty, allowed else { return nil }
        return (String(host), port, database)
    }
}

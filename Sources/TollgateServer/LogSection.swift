import Logging
import Yams

/// The `log:` section.
///
/// ```yaml
/// log:
///   level: info        # the diagnostic log on stderr: trace debug info notice warning error critical
///   requests: true     # one JSON line per request on stdout (RequestLogLine); default true
/// ```
///
/// The request log is on by default: a gateway's operators need one record per request where their
/// log pipeline already looks, even without `storage.path`. It goes to stdout, apart from the
/// diagnostic log on stderr, so each stream holds one format.
public struct LogSection: ConfigSection {
    static let key = "log"

    public var level = Logger.Level.info
    public var requests = true

    static let levelExpected = "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")

    public init() {}

    init(from mapping: inout ConfigMapping) throws(ConfigError) {
        level = try mapping.string("level", expected: Self.levelExpected, Logger.Level.init(rawValue:)) ?? level
        requests =
            try mapping.scalar("requests", expected: "true or false") { scalar, type in
                type == .bool ? Bool.construct(from: scalar) : nil
            } ?? requests
    }
}

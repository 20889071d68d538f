import Logging

/// The `log:` section.
public struct LogSection: ConfigSection {
    static let key = "log"

    public var level = Logger.Level.info

    static let levelExpected = "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")

    public init() {}

    init(from mapping: inout ConfigMapping) throws(ConfigError) {
        level = try mapping.string("level", expected: Self.levelExpected, Logger.Level.init(rawValue:)) ?? level
    }
}

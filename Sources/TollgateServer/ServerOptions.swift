import ArgumentParser
import Logging

/// The flags of every command that runs the server (`tollgate serve`, `TollgateProbe`), shared with
/// `@OptionGroup`: the config file and one override per `server:`/`log:` setting.
///
/// A flag wins over the file. Values are checked against the same limits as the file, so a flag
/// can never produce a config the file could not.
public struct ServerOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "The YAML config file. Flags override its values.")
    public var configFile: String?

    @Option(help: "ext_proc TCP address (h2c), host:port. An empty value drops the file's.")
    public var listen: String?

    @Option(help: "ext_proc Unix socket path. An empty value drops the file's.")
    public var socket: String?

    @Option(help: "The socket file's permission bits in octal, e.g. 0660 for a group Envoy shares.")
    public var socketMode: String?

    @Option(help: "Admin endpoint (/healthz /readyz /metrics), host:port.")
    public var admin: String?

    @Option(help: "Event-loop threads; 0 means one per core.")
    public var threads: Int?

    @Option(help: "Largest gRPC message accepted, in bytes.")
    public var maxMessageBytes: Int?

    @Option(help: "On SIGTERM, seconds in-flight streams may take to finish.")
    public var drainSeconds: Double?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    public var logLevel: String?

    @Option(help: "true or false: one JSON line per request on stdout.")
    public var logRequests: String?

    public init() {}

    /// The config file (or the defaults when there is none) with the flags applied, validated.
    public func makeConfig() throws(ConfigError) -> ServerConfig {
        var config = ServerConfig()
        if let configFile {
            config = try ConfigLoader.load(file: configFile)
        }
        if let listen {
            config.server.listen =
                listen.isEmpty
                ? nil : try Self.flag("listen", listen, expected: HostPort.expected, HostPort.init(parsing:))
        }
        if let socket {
            config.server.socket =
                socket.isEmpty
                ? nil
                : try Self.flag("socket", socket, expected: ServerSection.socketExpected, ServerSection.socketPath)
        }
        if let socketMode {
            config.server.socketMode = try Self.flag(
                "socket-mode",
                socketMode,
                expected: ServerSection.socketModeExpected,
                ServerSection.socketMode
            )
        }
        if let admin {
            config.server.admin = try Self.flag("admin", admin, expected: HostPort.expected, HostPort.init(parsing:))
        }
        if let threads {
            config.server.threads = try Self.flag("threads", threads, in: ServerSection.threadsRange)
        }
        if let maxMessageBytes {
            config.server.maxMessageBytes = try Self.flag(
                "max-message-bytes",
                maxMessageBytes,
                in: ServerSection.maxMessageBytesRange
            )
        }
        if let drainSeconds {
            let range = ServerSection.drainSecondsRange
            config.server.drainSeconds = try Self.flag("drain-seconds", drainSeconds, expected: range.expectedNumber) {
                range.contains(number: $0) ? $0 : nil
            }
        }
        if let logLevel {
            config.log.level = try Self.flag(
                "log-level",
                logLevel,
                expected: LogSection.levelExpected,
                Logger.Level.init(rawValue:)
            )
        }
        if let logRequests {
            config.log.requests = try Self.flag("log-requests", logRequests, expected: "true or false") {
                ["true": true, "false": false][$0]
            }
        }
        try config.validate()
        return config
    }

    private static func flag<Raw, Value>(
        _ name: String,
        _ raw: Raw,
        expected: String,
        _ convert: (Raw) -> Value?
    ) throws(ConfigError) -> Value {
        guard let value = convert(raw) else {
            throw ConfigError(file: nil, line: nil, message: "--\(name): expected \(expected), got '\(raw)'")
        }
        return value
    }

    private static func flag(_ name: String, _ raw: Int, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        try flag(name, raw, expected: range.expectedInteger) { range.contains($0) ? $0 : nil }
    }
}

import H2Transport

/// The `server:` section: where ext_proc and the admin endpoint listen, and the transport's limits.
/// The limits below are the single source for both the file and the flags.
public struct ServerSection: ConfigSection {
    static let key = "server"

    /// TCP address for ext_proc over h2c.
    public var listen: HostPort?
    /// Unix socket path for ext_proc, for an Envoy on the same host or pod.
    public var socket: String?
    /// The socket file's permission bits; nil leaves the umask's (owner only, usually), which
    /// suits Envoy running as the same user. `0660` lets a shared group (a pod's `fsGroup`) in.
    public var socketMode: UInt32?
    /// The admin HTTP/1.1 endpoint: `/healthz`, `/readyz`, `/metrics`.
    public var admin = HostPort(host: "127.0.0.1", port: 9190)
    /// Event-loop threads; 0 means one per core.
    public var threads = 0
    /// Larger gRPC messages are refused with RESOURCE_EXHAUSTED.
    public var maxMessageBytes = 64 * 1024 * 1024
    /// On SIGTERM, how long in-flight streams may take to finish.
    public var drainSeconds: Double = 20

    static let threadsRange = 0...1024
    /// The gRPC length prefix is 32 bits.
    static let maxMessageBytesRange = 1...Int(UInt32.max)
    static let drainSecondsRange = 0...3600
    static let socketExpected = "a socket path of 1 to 107 bytes"
    static let socketModeExpected = "an octal file mode of 3 or 4 digits, quoted, such as \"0660\""

    public init() {}

    init(from mapping: inout ConfigMapping) throws(ConfigError) {
        listen = try mapping.string("listen", expected: HostPort.expected, HostPort.init(parsing:))
        socket = try mapping.string("socket", expected: Self.socketExpected, Self.socketPath)
        socketMode = try mapping.string("socket_mode", expected: Self.socketModeExpected, Self.socketMode)
        admin = try mapping.string("admin", expected: HostPort.expected, HostPort.init(parsing:)) ?? admin
        threads = try mapping.integer("threads", in: Self.threadsRange) ?? threads
        maxMessageBytes = try mapping.integer("max_message_bytes", in: Self.maxMessageBytesRange) ?? maxMessageBytes
        drainSeconds = try mapping.number("drain_seconds", in: Self.drainSecondsRange) ?? drainSeconds
    }

    /// The path, if it fits `sockaddr_un.sun_path` (108 bytes with the terminating NUL).
    static func socketPath(_ path: String) -> String? {
        (1...107).contains(path.utf8.count) ? path : nil
    }

    /// Permission bits written in octal (`0660`, `660`); nil for anything else, set-id and sticky
    /// bits included, which mean nothing on a socket.
    static func socketMode(_ text: String) -> UInt32? {
        guard (3...4).contains(text.utf8.count), let mode = UInt32(text, radix: 8), mode <= 0o777 else { return nil }
        return mode
    }

    /// Every ext_proc listener: TCP first, then the Unix socket.
    public var listenAddresses: [ListenAddress] {
        [listen?.listenAddress, socket.map { ListenAddress.unix(path: $0, mode: socketMode) }].compactMap { $0 }
    }
}

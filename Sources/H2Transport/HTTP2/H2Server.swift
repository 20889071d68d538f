private import CShims
import Logging
import Synchronization
import Telemetry

#if canImport(Glibc)
import Glibc
#endif

/// The gRPC-over-h2c server: listeners, one event loop per thread, and graceful drain.
///
/// Each loop watches every listener with `EPOLLEXCLUSIVE`, so the kernel spreads connections over
/// the loops and a connection then stays on its loop for life: no lock on the per-request path.
public final class H2Server: Sendable {
    public struct Configuration: Sendable {
        public var listenAddresses: [ListenAddress]
        public var threads: Int
        public var maxMessageBytes: Int
        public var settings = H2Settings()
        /// Service names the health check reports as SERVING besides "".
        public var healthServices: Set<String> = []

        public init(listenAddresses: [ListenAddress], threads: Int, maxMessageBytes: Int) {
            self.listenAddresses = listenAddresses
            self.threads = threads
            self.maxMessageBytes = maxMessageBytes
        }
    }

    private let listeners: [ListeningSocket]
    private let loops: [LoopThread]
    public let metrics: TransportMetrics
    private let logger: Logger

    /// Binds every listener; nothing is accepted until `start()`.
    public init(
        configuration: Configuration,
        service: any GRPCService,
        registry: MetricsRegistry,
        logger: Logger
    ) throws {
        // A peer that vanishes must fail a write with EPIPE, never kill the process.
        signal(SIGPIPE, SIG_IGN)
        let listeners = try configuration.listenAddresses.map { try ListeningSocket(address: $0) }
        let metrics = TransportMetrics(registry: registry)
        self.listeners = listeners
        self.metrics = metrics
        self.logger = logger
        let threadCount = configuration.threads > 0 ? configuration.threads : Self.coreCount()
        var loops: [LoopThread] = []
        let drainingFlag = DrainingFlag()
        for index in 0..<threadCount {
            let loop = try EventLoop(index: index)
            let health = HealthService(servedServices: configuration.healthServices, isDraining: drainingFlag.get)
            loops.append(
                LoopThread(
                    loop: loop,
                    listeners: listeners,
                    makeContext: {
                        H2ServerContext(
                            service: service,
                            health: health,
                            settings: configuration.settings,
                            maxMessageBytes: configuration.maxMessageBytes,
                            metrics: metrics,
                            logger: logger
                        )
                    }
                )
            )
        }
        self.loops = loops
        self.drainingFlag = drainingFlag
    }

    private let drainingFlag: DrainingFlag

    /// The addresses bound, with the real port for TCP listeners asked for port 0.
    public var boundAddresses: [ListenAddress] {
        listeners.map { listener in
            if case .tcp(let host, _) = listener.address, let port = listener.boundPort {
                return .tcp(host: host, port: port)
            }
            return listener.address
        }
    }

    /// Starts one thread per loop; returns once every loop accepts.
    public func start() throws {
        for loop in loops { try loop.start() }
    }

    /// Stops accepting, sends GOAWAY on every connection, and waits until they all close or the
    /// deadline passes. Returns true when every connection closed in time.
    public func drain(deadlineSeconds: Double) -> Bool {
        drainingFlag.set()
        for loop in loops { loop.beginDrain() }
        let deadline = MonotonicClock.nanoseconds() + UInt64(max(0, deadlineSeconds) * 1e9)
        while metrics.activeConnections > 0 && MonotonicClock.nanoseconds() < deadline {
            usleep(20_000)
        }
        let clean = metrics.activeConnections == 0
        if !clean {
            logger.warning("drain deadline passed", metadata: ["open_connections": "\(metrics.activeConnections)"])
        }
        return clean
    }

    /// Stops every loop and joins its thread. Open connections are dropped.
    public func stop() {
        for loop in loops { loop.stop() }
    }

    private static func coreCount() -> Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

/// Set once when draining starts; read by health checks on every loop.
final class DrainingFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    @Sendable func get() -> Bool { value.load(ordering: .acquiring) }
}

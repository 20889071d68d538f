import H2Transport
import Logging
import Telemetry

#if canImport(Glibc)
import Glibc
#endif

/// Runs a gRPC service until SIGTERM or SIGINT: listeners, admin endpoint, then a graceful drain.
///
/// Signals are blocked before any thread starts and taken with `sigwait` on the calling thread, so
/// no code runs inside an async signal handler and the event loops never see the signal.
public struct ServerRunner {
    public struct Endpoints: Sendable {
        public var transport: H2Server.Configuration
        public var adminHost: String
        public var adminPort: Int
        public var drainSeconds: Double

        public init(transport: H2Server.Configuration, adminHost: String, adminPort: Int, drainSeconds: Double) {
            self.transport = transport
            self.adminHost = adminHost
            self.adminPort = adminPort
            self.drainSeconds = drainSeconds
        }
    }

    private let endpoints: Endpoints
    private let registry: MetricsRegistry
    private let logger: Logger

    public init(endpoints: Endpoints, registry: MetricsRegistry, logger: Logger) {
        self.endpoints = endpoints
        self.registry = registry
        self.logger = logger
    }

    /// Serves until a stop signal; returns the process exit code (0 after a clean drain).
    public func run(service: any GRPCService) throws -> Int32 {
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

        let admin = try AdminServer(
            host: endpoints.adminHost,
            port: endpoints.adminPort,
            metrics: { [registry] in registry.renderPrometheus() },
            logger: logger
        )
        let server = try H2Server(
            configuration: endpoints.transport,
            service: service,
            registry: registry,
            logger: logger
        )
        try admin.start()
        try server.start()
        admin.markReady()
        logger.info(
            "tollgate serving",
            metadata: [
                "ext_proc": "\(server.boundAddresses.map(\.description).joined(separator: ", "))",
                "admin": "\(endpoints.adminHost):\(admin.port)",
                "threads": "\(endpoints.transport.threads)",
            ]
        )

        var received: Int32 = 0
        sigwait(&stopSignals, &received)
        logger.info(
            "stop signal received, draining",
            metadata: ["signal": "\(received)", "deadline_s": "\(endpoints.drainSeconds)"]
        )
        admin.markNotReady()
        let clean = server.drain(deadlineSeconds: endpoints.drainSeconds)
        server.stop()
        admin.stop()
        logger.info("tollgate stopped", metadata: ["clean": "\(clean)"])
        return 0
    }
}

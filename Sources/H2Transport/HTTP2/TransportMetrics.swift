import Telemetry

/// The transport's instruments, looked up once so the hot path only touches atomics.
public struct TransportMetrics: Sendable {
    /// Error kinds counted in `tollgate_errors_total{kind}` by the transport.
    public enum ErrorKind: String, Sendable, CaseIterable {
        case h2Protocol = "h2_protocol"
        case grpcFraming = "grpc_framing"
        case messageTooLarge = "message_too_large"
        case unimplementedMethod = "unimplemented_method"
        case accept = "accept"
    }

    private let connectionsTotal: Counter
    private let connectionsActive: Gauge
    private let streamsTotal: Counter
    private let streamsActive: Gauge
    private let errors: [ErrorKind: Counter]

    public init(registry: MetricsRegistry) {
        connectionsTotal = registry.counter("tollgate_connections_total", help: "HTTP/2 connections accepted.")
        connectionsActive = registry.gauge("tollgate_connections_active", help: "HTTP/2 connections open now.")
        streamsTotal = registry.counter("tollgate_grpc_streams_total", help: "gRPC calls opened.")
        streamsActive = registry.gauge("tollgate_grpc_streams_active", help: "gRPC calls open now.")
        var errors: [ErrorKind: Counter] = [:]
        for kind in ErrorKind.allCases {
            errors[kind] = registry.counter(
                "tollgate_errors_total",
                help: "Errors by kind.",
                labels: [("kind", kind.rawValue)]
            )
        }
        self.errors = errors
    }

    func connectionOpened() {
        connectionsTotal.increment()
        connectionsActive.increment()
    }

    func connectionClosed() { connectionsActive.decrement() }

    func streamOpened() {
        streamsTotal.increment()
        streamsActive.increment()
    }

    func streamClosed() { streamsActive.decrement() }

    func error(_ kind: ErrorKind) { errors[kind]?.increment() }

    /// Connections open now, across all loops.
    public var activeConnections: Int { connectionsActive.value }
}

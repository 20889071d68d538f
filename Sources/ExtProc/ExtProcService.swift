import H2Transport
import Logging
import Telemetry

/// Envoy's `envoy.service.ext_proc.v3.ExternalProcessor` as a `GRPCService`: each `Process`
/// call becomes an `ExtProcStream` driving one handler from `handlerFactory`.
///
/// A stream ends with OK when Envoy half-closes it, silently when Envoy resets it (its usual way
/// once the HTTP exchange is done), and with INVALID_ARGUMENT when Envoy's messages break the
/// protocol; that ends that stream only.
public struct ExtProcService: GRPCService {
    /// The one method served; anything else is answered UNIMPLEMENTED by the transport.
    public static let processMethod = "/envoy.service.ext_proc.v3.ExternalProcessor/Process"

    private let handlerFactory: any ExtProcHandlerFactory
    private let metrics: ExtProcMetrics
    private let logger: Logger

    public init(handlerFactory: any ExtProcHandlerFactory, metrics: MetricsRegistry, logger: Logger) {
        self.handlerFactory = handlerFactory
        self.metrics = ExtProcMetrics(registry: metrics)
        self.logger = logger
    }

    public func makeStreamHandler(method: String) -> (any GRPCStreamHandler)? {
        guard method == Self.processMethod else { return nil }
        return ExtProcStream(handler: handlerFactory.makeStreamHandler(), metrics: metrics, logger: logger)
    }
}

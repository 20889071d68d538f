import Telemetry

/// The gateway's instruments, registered once per factory so that a request costs a dictionary
/// lookup and an atomic add.
///
/// - `tollgate_gateway_requests_total{endpoint}`: requests admitted by the router phase (routed to a
///   model, or `/v1/models` answered);
/// - `tollgate_gateway_rejections_total{reason}`: requests answered with an error, by `GatewayError.kind`;
/// - `tollgate_gateway_upstream_attempts_total`: upstream attempts rewritten (retries included).
public struct GatewayMetrics: Sendable {
    private let requests: [Endpoint: Counter]
    private let rejections: [String: Counter]
    private let upstreamAttempts: Counter

    public init(registry: MetricsRegistry) {
        var requests: [Endpoint: Counter] = [:]
        for endpoint in Endpoint.allCases {
            requests[endpoint] = registry.counter(
                "tollgate_gateway_requests_total",
                help: "Requests admitted by the gateway's router phase, by endpoint.",
                labels: [("endpoint", endpoint.path)]
            )
        }
        var rejections: [String: Counter] = [:]
        for kind in GatewayError.allKinds {
            rejections[kind] = registry.counter(
                "tollgate_gateway_rejections_total",
                help: "Requests the gateway answered with an error, by reason.",
                labels: [("reason", kind)]
            )
        }
        self.requests = requests
        self.rejections = rejections
        upstreamAttempts = registry.counter(
            "tollgate_gateway_upstream_attempts_total",
            help: "Upstream attempts the gateway rewrote for a provider, retries included."
        )
    }

    func admitted(_ endpoint: Endpoint) {
        requests[endpoint]?.increment()
    }

    func rejected(_ error: GatewayError) {
        rejections[error.kind]?.increment()
    }

    func upstreamAttemptRewritten() {
        upstreamAttempts.increment()
    }
}

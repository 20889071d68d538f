import Telemetry

/// The ext_proc layer's instruments (docs/architecture.md, "Observability"), looked up once per service so that a
/// message costs a dictionary lookup and an atomic add.
struct ExtProcMetrics: Sendable {
    /// Sized for synchronous handlers: most answer in microseconds; a slow one shows in the top buckets.
    private static let handlerBuckets = [
        0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
        1,
    ]

    private let messages: [ProcessingPhase: Counter]
    private let handlerSeconds: [ProcessingPhase: Histogram]
    private let errors: [String: Counter]

    init(registry: MetricsRegistry) {
        var messages: [ProcessingPhase: Counter] = [:]
        var handlerSeconds: [ProcessingPhase: Histogram] = [:]
        for phase in ProcessingPhase.allCases {
            messages[phase] = registry.counter(
                "tollgate_extproc_messages_total",
                help: "ext_proc messages received, by phase.",
                labels: [("phase", phase.name)]
            )
            handlerSeconds[phase] = registry.histogram(
                "tollgate_extproc_handler_seconds",
                help: "Time the handler took to answer an ext_proc message, by phase.",
                labels: [("phase", phase.name)],
                buckets: Self.handlerBuckets
            )
        }
        var errors: [String: Counter] = [:]
        // One error of each kind this layer counts. The help text is the transport's, which
        // registers the family's other kinds.
        for error in [ExtProcError.malformedMessage, .missingPhase] {
            errors[error.metricKind] = registry.counter(
                "tollgate_errors_total",
                help: "Errors by kind.",
                labels: [("kind", error.metricKind)]
            )
        }
        self.messages = messages
        self.handlerSeconds = handlerSeconds
        self.errors = errors
    }

    func messageReceived(_ phase: ProcessingPhase) {
        messages[phase]?.increment()
    }

    func handlerAnswered(_ phase: ProcessingPhase, after duration: Duration) {
        let (seconds, attoseconds) = duration.components
        handlerSeconds[phase]?.observe(Double(seconds) + Double(attoseconds) * 1e-18)
    }

    func streamFailed(_ error: ExtProcError) {
        errors[error.metricKind]?.increment()
    }
}

import Synchronization
import Telemetry

/// Tollgate's own per-request counters, for every request the router phase saw, refused or not:
///
/// - `tollgate_requests_total{status,reason}`: by the HTTP status the client got (`0` when it got
///   none) and the reason Tollgate or Envoy answered instead of a provider (`none` when a provider
///   did; `GatewayError`, translation and limiter kinds, `upstream_unavailable`, ...);
/// - `tollgate_cost_microdollars_total{model,provider,tenant}`: the cost of the tokens used, priced
///   as the ledger prices them (`RequestCompletion.cost(at:)`), in micro-dollars so the sum is
///   exact and equals the ledger's `cost_micros`; requests without a price add nothing.
///
/// Counters are registered on a label set's first use and cached (one lookup under a lock, then
/// an atomic add). Label values are bounded: statuses and reasons by `MetricLabels`, models,
/// providers and tenants by the config.
public struct RequestMetricsObserver: RequestObserver {
    private let registry: MetricsRegistry
    private let prices: @Sendable () -> PriceTable
    private let counters = Counters()

    /// Label values, already bounded: an unknown reason is `other` before it becomes a key.
    private struct Outcome: Hashable {
        var status: String
        var reason: String
    }

    private struct Spender: Hashable {
        var model: String
        var provider: String
        var tenant: String
    }

    private final class Counters: Sendable {
        let byOutcome = Mutex<[Outcome: Counter]>([:])
        let bySpender = Mutex<[Spender: Counter]>([:])
    }

    /// - Parameter prices: the price table in force (the running config snapshot's).
    public init(registry: MetricsRegistry, prices: @escaping @Sendable () -> PriceTable) {
        self.registry = registry
        self.prices = prices
    }

    public func requestDidComplete(_ completion: RequestCompletion) {
        requests(
            Outcome(status: MetricLabels.status(completion.status), reason: MetricLabels.reason(completion.rejection))
        ).increment()
        guard completion.usage != nil, let cost = completion.cost(at: prices()), cost > 0 else { return }
        let spender = Spender(
            model: completion.model ?? completion.upstreamModel ?? "unknown",
            provider: completion.provider ?? "unknown",
            tenant: completion.tenant ?? "unknown"
        )
        spent(spender).increment(by: Int(cost))
    }

    private func requests(_ outcome: Outcome) -> Counter {
        if let known = counters.byOutcome.withLock({ $0[outcome] }) {
            return known
        }
        let made = registry.counter(
            "tollgate_requests_total",
            help:
                "Requests by the status the client got (0: none) and why Tollgate or Envoy answered (none: a provider did).",
            labels: [("status", outcome.status), ("reason", outcome.reason)]
        )
        counters.byOutcome.withLock { $0[outcome] = made }
        return made
    }

    private func spent(_ spender: Spender) -> Counter {
        if let known = counters.bySpender.withLock({ $0[spender] }) {
            return known
        }
        let made = registry.counter(
            "tollgate_cost_microdollars_total",
            help: "Cost of the tokens used at the configured prices, in micro-dollars (1e-6 USD).",
            labels: [("model", spender.model), ("provider", spender.provider), ("tenant", spender.tenant)]
        )
        counters.bySpender.withLock { $0[spender] = made }
        return made
    }
}

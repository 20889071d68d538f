import Synchronization

/// A value that goes up and down, such as open connections. Updates are lock-free.
public final class Gauge: Sendable, MetricInstrument {
    static let kind = MetricKind.gauge

    private let current = Atomic<Int>(0)

    init() {}

    public func increment(by amount: Int = 1) {
        current.wrappingAdd(amount, ordering: .relaxed)
    }

    public func decrement(by amount: Int = 1) {
        current.wrappingSubtract(amount, ordering: .relaxed)
    }

    public func set(_ value: Int) {
        current.store(value, ordering: .relaxed)
    }

    /// The current value; for tests and for code that reports it elsewhere.
    public var value: Int {
        current.load(ordering: .relaxed)
    }

    func render(name: String, labels: LabelSet, into output: inout String) {
        output += "\(name)\(labels.braced) \(value)\n"
    }
}

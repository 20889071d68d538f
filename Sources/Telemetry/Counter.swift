import Synchronization

/// A count that only goes up, such as requests served. Increments are lock-free.
public final class Counter: Sendable, MetricInstrument {
    static let kind = MetricKind.counter

    private let count = Atomic<Int>(0)

    init() {}

    /// Adds `amount`, which must not be negative: Prometheus treats a decrease as a restart.
    public func increment(by amount: Int = 1) {
        precondition(amount >= 0, "a counter cannot decrease")
        count.wrappingAdd(amount, ordering: .relaxed)
    }

    /// The current count; for tests and for code that reports it elsewhere.
    public var value: Int {
        count.load(ordering: .relaxed)
    }

    func render(name: String, labels: LabelSet, into output: inout String) {
        output += "\(name)\(labels.braced) \(value)\n"
    }
}

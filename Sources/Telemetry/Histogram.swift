import Synchronization

/// A distribution of durations in seconds. `observe` is lock-free: one atomic add on the bucket
/// the value falls in, and a compare-and-swap loop on the sum.
///
/// Buckets are stored non-cumulatively and summed when rendering, so an observation touches one
/// bucket only. The count is the sum of the buckets, so `_count` always equals the `+Inf` bucket
/// even while observations race with a render.
public final class Histogram: Sendable, MetricInstrument {
    static let kind = MetricKind.histogram

    /// Finite upper bounds, ascending and unique.
    private let upperBounds: [Double]
    /// One per upper bound, plus one for values above the last bound (the `+Inf` bucket).
    private let bucketCounts: [Counter]
    /// The sum as the bit pattern of a `Double`, because there is no atomic floating-point add.
    private let sumBits = Atomic<UInt64>(0.0.bitPattern)

    init(upperBounds: [Double]) {
        precondition(!upperBounds.contains { $0.isNaN }, "a histogram bucket bound cannot be NaN")
        // `+Inf` is always the last bucket, so a caller listing it explicitly changes nothing.
        self.upperBounds = Set(upperBounds.filter { $0 != .infinity }).sorted()
        self.bucketCounts = (0...self.upperBounds.count).map { _ in Counter() }
    }

    public func observe(_ seconds: Double) {
        // Linear: bucket lists are short, and this stays branch-predictable. NaN lands in `+Inf`.
        var index = 0
        while index < upperBounds.count, !(seconds <= upperBounds[index]) {
            index += 1
        }
        bucketCounts[index].increment()
        var expected = sumBits.load(ordering: .relaxed)
        while true {
            let desired = (Double(bitPattern: expected) + seconds).bitPattern
            let (exchanged, original) = sumBits.weakCompareExchange(
                expected: expected,
                desired: desired,
                ordering: .relaxed
            )
            if exchanged {
                return
            }
            expected = original
        }
    }

    /// The number of observations; for tests and for code that reports it elsewhere.
    public var count: Int {
        bucketCounts.reduce(0) { $0 + $1.value }
    }

    /// The sum of all observations, in seconds.
    public var sum: Double {
        Double(bitPattern: sumBits.load(ordering: .relaxed))
    }

    func render(name: String, labels: LabelSet, into output: inout String) {
        var cumulative = 0
        for (index, bucket) in bucketCounts.enumerated() {
            cumulative += bucket.value
            let bound = index < upperBounds.count ? upperBounds[index] : .infinity
            output += "\(name)_bucket\(labels.braced(adding: "le", PrometheusText.format(bound))) \(cumulative)\n"
        }
        output += "\(name)_sum\(labels.braced) \(PrometheusText.format(sum))\n"
        output += "\(name)_count\(labels.braced) \(cumulative)\n"
    }
}

import Synchronization

/// The set of metrics one process exposes, rendered on demand as Prometheus text.
///
/// Instruments are registered once, cached by their owners and then updated with atomics only:
/// the registry's lock is taken on registration and on `renderPrometheus()`, never on an increment.
/// Asking twice for the same name and labels returns the same instrument, so independent parts of
/// the server can share a series without passing it around.
///
/// The help text of a family is the one given when its name was first registered.
/// A name belongs to one kind of instrument. Registering it again as another kind, or with
/// invalid names, is a programming error and traps.
public final class MetricsRegistry: Sendable {
    private let families = Mutex<[String: MetricFamily]>([:])

    public init() {}

    /// A monotonic counter; by convention `name` ends in `_total`.
    public func counter(_ name: String, help: String, labels: [(String, String)] = []) -> Counter {
        instrument(name, help: help, labels: labels) { Counter() }
    }

    /// A value that goes up and down, such as the number of open connections.
    public func gauge(_ name: String, help: String, labels: [(String, String)] = []) -> Gauge {
        instrument(name, help: help, labels: labels) { Gauge() }
    }

    /// A distribution of durations in seconds over the upper bounds `buckets` (`+Inf` is implied).
    /// A later request for an existing series returns it with the buckets it was created with.
    public func histogram(
        _ name: String,
        help: String,
        labels: [(String, String)] = [],
        buckets: [Double]
    ) -> Histogram {
        precondition(!labels.contains { $0.0 == "le" }, "the label 'le' is reserved for histogram buckets")
        return instrument(name, help: help, labels: labels) { Histogram(upperBounds: buckets) }
    }

    /// Every registered series in the text exposition format 0.0.4, families sorted by name.
    public func renderPrometheus() -> String {
        let snapshot = families.withLock { $0 }
        var output = ""
        for name in snapshot.keys.sorted() {
            snapshot[name]!.render(into: &output)
        }
        return output
    }

    private func instrument<Instrument: MetricInstrument>(
        _ name: String,
        help: String,
        labels: [(String, String)],
        make: () -> Instrument
    ) -> Instrument {
        precondition(PrometheusText.isValidMetricName(name), "invalid metric name '\(name)'")
        let labelSet = LabelSet(labels)
        return families.withLock { families in
            var family = families[name] ?? MetricFamily(name: name, help: help, kind: Instrument.kind)
            precondition(family.kind == Instrument.kind, "metric '\(name)' is already a \(family.kind)")
            if let existing = family.series[labelSet] {
                // The kind check above guarantees the stored instrument has this type.
                return existing as! Instrument
            }
            let created = make()
            family.series[labelSet] = created
            families[name] = family
            return created
        }
    }
}

/// What the registry needs from each kind of instrument: its type and its sample lines.
protocol MetricInstrument: AnyObject, Sendable {
    static var kind: MetricKind { get }

    /// Appends this series' sample lines (one per line, each ending in a newline) to `output`.
    func render(name: String, labels: LabelSet, into output: inout String)
}

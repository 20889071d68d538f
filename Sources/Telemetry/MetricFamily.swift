/// All series registered under one metric name: one `# HELP` and `# TYPE` pair in the output.
struct MetricFamily {
    let name: String
    let help: String
    let kind: MetricKind
    var series: [LabelSet: any MetricInstrument] = [:]

    init(name: String, help: String, kind: MetricKind) {
        self.name = name
        self.help = help
        self.kind = kind
    }

    func render(into output: inout String) {
        output += "# HELP \(name) \(PrometheusText.escapeHelp(help))\n"
        output += "# TYPE \(name) \(kind.rawValue)\n"
        // Sorted so that two renders of the same state are byte-identical.
        for labels in series.keys.sorted(by: { $0.rendered < $1.rendered }) {
            series[labels]!.render(name: name, labels: labels, into: &output)
        }
    }
}

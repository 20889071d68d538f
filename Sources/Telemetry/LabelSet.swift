/// The labels of one series in canonical form: sorted by name, values escaped.
///
/// The canonical text is both the identity of the series (two requests with the same labels in
/// any order get the same instrument) and what is written between the braces when rendering.
struct LabelSet: Hashable, Sendable {
    /// `a="x",b="y"`, without braces; empty when there are no labels.
    let rendered: String

    init(_ labels: [(String, String)]) {
        let sorted = labels.sorted { $0.0 < $1.0 }
        for (index, (name, _)) in sorted.enumerated() {
            precondition(PrometheusText.isValidLabelName(name), "invalid label name '\(name)'")
            precondition(index == 0 || sorted[index - 1].0 != name, "duplicate label '\(name)'")
        }
        rendered = sorted.map { "\($0.0)=\"\(PrometheusText.escapeLabelValue($0.1))\"" }.joined(separator: ",")
    }

    /// `{a="x"}`, or nothing when there are no labels.
    var braced: String {
        rendered.isEmpty ? "" : "{\(rendered)}"
    }

    /// The labels plus one more written last, as histograms do with `le`.
    func braced(adding name: String, _ value: String) -> String {
        let extra = "\(name)=\"\(PrometheusText.escapeLabelValue(value))\""
        return rendered.isEmpty ? "{\(extra)}" : "{\(rendered),\(extra)}"
    }
}

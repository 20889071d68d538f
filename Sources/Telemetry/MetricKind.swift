/// The Prometheus metric types Tollgate exposes, spelled as in a `# TYPE` line.
enum MetricKind: String, Sendable {
    case counter
    case gauge
    case histogram
}

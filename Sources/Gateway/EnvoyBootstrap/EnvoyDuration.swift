/// Durations as Envoy's YAML takes them (protobuf `Duration` in its JSON form): `5s`, `0.250s`.
enum EnvoyDuration {
    static func text(milliseconds: Int) -> String {
        if milliseconds % 1000 == 0 {
            return "\(milliseconds / 1000)s"
        }
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
    }

    /// Whole milliseconds; the config reader accepts nothing finer.
    static func text(_ duration: Duration) -> String {
        text(milliseconds: milliseconds(duration))
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

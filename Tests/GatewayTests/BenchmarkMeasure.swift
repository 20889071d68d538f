import Foundation

/// Runs `body` once to warm up, then `iterations` times, and prints the mean time of one run:
/// the release benchmarks' shared way of timing, so their numbers compare.
func measure(_ label: String, iterations: Int, _ body: () -> Void) {
    let clock = ContinuousClock()
    body()
    let elapsed = clock.measure {
        for _ in 0..<iterations { body() }
    }
    let micros = Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6
    print("\(label): \(String(format: "%.2f", micros / Double(iterations))) µs")
}

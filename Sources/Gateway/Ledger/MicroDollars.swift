/// Money as the ledger and the price table count it: whole micro-dollars (10⁻⁶ USD) in an `Int64`.
///
/// Prices are written in the config as decimal dollars (`2.50` per million tokens) and parsed from
/// their text, never through `Double`, so `0.075` is exactly 75 000 µ$ and sums stay exact.
public enum MicroDollars {
    /// Micro-dollars in one dollar.
    public static let perDollar: Int64 = 1_000_000

    /// Plain decimal dollars with at most six decimals, not negative: `2.5`, `0.075`, `12`.
    /// Nil for anything else (`-1`, `.5`, `1e-3`, `0.0000001`, or more than 9 trillion dollars).
    public static func parse(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty, whole.utf8.allSatisfy(isDigit), fraction.utf8.allSatisfy(isDigit),
            parts.count == 1 || (1...6).contains(fraction.count),
            let dollars = Int64(whole), dollars < Int64.max / perDollar
        else {
            return nil
        }
        let padded = fraction + String(repeating: "0", count: 6 - fraction.count)
        return dollars * perDollar + (Int64(padded) ?? 0)
    }

    /// `12.345678`: dollars with all six decimals, so columns line up and nothing is rounded away.
    public static func format(_ micros: Int64) -> String {
        let sign = micros < 0 ? "-" : ""
        let magnitude = micros.magnitude
        let fraction = String(magnitude % UInt64(perDollar))
        return "\(sign)\(magnitude / UInt64(perDollar)).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

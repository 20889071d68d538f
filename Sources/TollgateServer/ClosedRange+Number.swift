extension ClosedRange<Int> {
    /// Whether a possibly fractional number lies within these whole-number bounds (NaN never does).
    func contains(number: Double) -> Bool {
        Double(lowerBound) <= number && number <= Double(upperBound)
    }

    /// How error messages state the rule for an integer setting, the same for the file and flags.
    var expectedInteger: String {
        "an integer in \(lowerBound)...\(upperBound)"
    }

    /// How error messages state the rule for a setting that may be fractional.
    var expectedNumber: String {
        "a number in \(lowerBound)...\(upperBound)"
    }
}

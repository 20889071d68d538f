/// Every error found in one config file, in file order as far as reading allows.
///
/// Reading goes on after an error where the rest can still be understood: another top-level section,
/// the next item of a list, a cross-check between sections. So `tollgate check` reports all it can in
/// one run, and the loader's throwing API reports the first.
struct ConfigDiagnostics {
    private(set) var errors: [ConfigError] = []

    mutating func record(_ error: ConfigError) {
        errors.append(error)
    }

    /// Runs `body`, recording its error; nil when it failed.
    mutating func attempt<Value>(_ body: () throws(ConfigError) -> Value) -> Value? {
        do {
            return try body()
        } catch {
            errors.append(error)
            return nil
        }
    }

    /// Errors in the order of their lines; errors without a line keep their place at the end.
    var sorted: [ConfigError] {
        errors.enumerated().sorted { lhs, rhs in
            switch (lhs.element.line, rhs.element.line) {
            case (let left?, let right?) where left != right: left < right
            case (_?, nil): true
            case (nil, _?): false
            default: lhs.offset < rhs.offset
            }
        }.map(\.element)
    }
}

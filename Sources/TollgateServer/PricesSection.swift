import Gateway
import Yams

/// The `prices:` section: what each model costs, for the ledger's cost column and the limiter's
/// money budgets.
///
/// ```yaml
/// prices:
///   - model: gpt-4o-mini*        # a name or glob, matched against the served model, then the requested one
///     input: 0.15                # dollars per million tokens, at most 6 decimals
///     output: 0.60
///     cached_input: 0.075        # prompt tokens read from the provider's cache; default: input
///     cache_creation: 0.15       # prompt tokens written to it; default: input
/// ```
/// An exact name wins over globs; among globs the first that matches, in file order. Prices are
/// read as decimal text, never through floating point, so `0.075` is exactly 75 000 micro-dollars.
public struct PricesSection: ConfigListSection {
    static let key = "prices"

    public var table = PriceTable()

    static let modelExpected = "a model name or glob of 1 to 256 characters without spaces"
    static let priceExpected = "dollars per million tokens, such as 2.50 (at most 6 decimals)"

    public init() {}

    init(from list: ConfigList, diagnostics: inout ConfigDiagnostics) {
        var entries: [PriceTable.Entry] = []
        var lines: [String: Int?] = [:]
        for index in list.items.indices {
            let entry = diagnostics.attempt { () throws(ConfigError) -> PriceTable.Entry in
                var mapping = try list.mapping(at: index)
                guard let model = try mapping.text("model", expected: Self.modelExpected, ConfigNames.name) else {
                    throw mapping.missing("model")
                }
                if let first = lines[model] {
                    throw mapping.invalid(
                        "model",
                        "'\(model)' already has a price" + (first.map { " (line \($0))" } ?? "")
                    )
                }
                guard let input = try Self.price("input", &mapping) else {
                    throw mapping.missing("input")
                }
                guard let output = try Self.price("output", &mapping) else {
                    throw mapping.missing("output")
                }
                let price = ModelPrice(
                    inputPerMillion: input,
                    outputPerMillion: output,
                    cachedInputPerMillion: try Self.price("cached_input", &mapping),
                    cacheCreationPerMillion: try Self.price("cache_creation", &mapping)
                )
                try mapping.rejectUnknownKeys()
                lines[model] = mapping.line(of: "model")
                return PriceTable.Entry(model: ModelPattern(model), price: price)
            }
            if let entry {
                entries.append(entry)
            }
        }
        table = PriceTable(entries)
    }

    /// A YAML number (or quoted decimal) as micro-dollars, from its text.
    private static func price(_ key: String, _ mapping: inout ConfigMapping) throws(ConfigError) -> Int64? {
        try mapping.scalar(key, expected: priceExpected) { scalar, type in
            type == .int || type == .float || type == .str ? MicroDollars.parse(scalar.string) : nil
        }
    }
}

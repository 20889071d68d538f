/// What one model costs, per million tokens of each kind, in micro-dollars: `2.50` dollars per
/// million input tokens is `inputPerMillion == 2_500_000`.
///
/// The kinds follow `TokenUsage`: cached input (read from the provider's prompt cache) and cache
/// creation (written to it) are priced on their own, and the rest of the prompt at `inputPerMillion`;
/// reasoning tokens are output tokens and cost `outputPerMillion`.
public struct ModelPrice: Sendable, Hashable {
    public var inputPerMillion: Int64
    public var outputPerMillion: Int64
    public var cachedInputPerMillion: Int64
    public var cacheCreationPerMillion: Int64

    /// Cached input and cache creation cost the input price unless given: no discount is assumed.
    public init(
        inputPerMillion: Int64,
        outputPerMillion: Int64,
        cachedInputPerMillion: Int64? = nil,
        cacheCreationPerMillion: Int64? = nil
    ) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion ?? inputPerMillion
        self.cacheCreationPerMillion = cacheCreationPerMillion ?? inputPerMillion
    }

    /// The cost of `usage` in micro-dollars, rounded half up once from the exact sum.
    ///
    /// Tokens times a price per million in micro-dollars is in pico-dollars (10⁻¹² USD), exact in an
    /// `Int64` up to 9.2 million dollars for one request; beyond that the cost saturates at
    /// `Int64.max` micro-dollars rather than trapping.
    public func cost(of usage: TokenUsage) -> Int64 {
        let parts: [(tokens: Int, price: Int64)] = [
            (usage.uncachedInputTokens, inputPerMillion),
            (max(0, usage.cachedInputTokens), cachedInputPerMillion),
            (max(0, usage.cacheCreationInputTokens), cacheCreationPerMillion),
            (max(0, usage.outputTokens), outputPerMillion),
        ]
        var picodollars: Int64 = 0
        for part in parts {
            let (product, overflow) = Int64(part.tokens).multipliedReportingOverflow(by: part.price)
            let (sum, sumOverflow) = picodollars.addingReportingOverflow(product)
            if overflow || sumOverflow {
                return Int64.max
            }
            picodollars = sum
        }
        return picodollars / 1_000_000 + (picodollars % 1_000_000 >= 500_000 ? 1 : 0)
    }
}

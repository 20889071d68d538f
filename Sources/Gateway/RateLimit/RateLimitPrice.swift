/// A model's prices as money budgets count them, in micro-dollars per million tokens (which is
/// also pico-dollars per token), so that costs are exact integers and sum without drift.
///
/// `cachedInput` applies to prompt tokens read from the provider's cache and `cacheCreation` to
/// those written to it; both default to the input price. Costs are rounded up to whole
/// nano-dollars per request.
public struct RateLimitPrice: Sendable, Hashable {
    public var inputMicroUSDPerMillion: Int
    public var outputMicroUSDPerMillion: Int
    public var cachedInputMicroUSDPerMillion: Int
    public var cacheCreationMicroUSDPerMillion: Int

    public init(
        inputMicroUSDPerMillion: Int,
        outputMicroUSDPerMillion: Int,
        cachedInputMicroUSDPerMillion: Int? = nil,
        cacheCreationMicroUSDPerMillion: Int? = nil
    ) {
        self.inputMicroUSDPerMillion = max(0, inputMicroUSDPerMillion)
        self.outputMicroUSDPerMillion = max(0, outputMicroUSDPerMillion)
        self.cachedInputMicroUSDPerMillion = max(0, cachedInputMicroUSDPerMillion ?? inputMicroUSDPerMillion)
        self.cacheCreationMicroUSDPerMillion = max(0, cacheCreationMicroUSDPerMillion ?? inputMicroUSDPerMillion)
    }

    /// From dollars per million tokens, as price lists state them (`2.5` for $2.50 / 1M).
    public init(
        inputUSDPerMillion: Double,
        outputUSDPerMillion: Double,
        cachedInputUSDPerMillion: Double? = nil,
        cacheCreationUSDPerMillion: Double? = nil
    ) {
        self.init(
            inputMicroUSDPerMillion: Self.micro(inputUSDPerMillion),
            outputMicroUSDPerMillion: Self.micro(outputUSDPerMillion),
            cachedInputMicroUSDPerMillion: cachedInputUSDPerMillion.map(Self.micro),
            cacheCreationMicroUSDPerMillion: cacheCreationUSDPerMillion.map(Self.micro)
        )
    }

    private static func micro(_ dollars: Double) -> Int {
        guard dollars.isFinite, dollars > 0 else { return 0 }
        return Int(min(dollars * 1_000_000, 1e12).rounded())
    }

    /// What `usage` costs, in nano-dollars rounded up.
    public func costNanoUSD(of usage: TokenUsage) -> Int {
        let cached = max(0, usage.cachedInputTokens)
        let creation = max(0, usage.cacheCreationInputTokens)
        let picoUSD =
            Self.product(usage.uncachedInputTokens, inputMicroUSDPerMillion)
            &+ Self.product(cached, cachedInputMicroUSDPerMillion)
            &+ Self.product(creation, cacheCreationMicroUSDPerMillion)
            &+ Self.product(max(0, usage.outputTokens), outputMicroUSDPerMillion)
        return Self.nanoFromPico(picoUSD)
    }

    /// The most `inputTokens` of prompt and `outputTokens` of completion can cost, whichever way
    /// the provider's cache splits the prompt: what a reservation holds against a budget.
    public func maximumCostNanoUSD(inputTokens: Int, outputTokens: Int) -> Int {
        let inputPrice = max(inputMicroUSDPerMillion, cachedInputMicroUSDPerMillion, cacheCreationMicroUSDPerMillion)
        return Self.nanoFromPico(
            Self.product(max(0, inputTokens), inputPrice)
                &+ Self.product(max(0, outputTokens), outputMicroUSDPerMillion)
        )
    }

    /// Saturating, so that an absurd count cannot wrap to a small cost.
    private static func product(_ tokens: Int, _ price: Int) -> Int {
        let (value, overflow) = tokens.multipliedReportingOverflow(by: price)
        return overflow ? Int.max / 8 : min(value, Int.max / 8)
    }

    private static func nanoFromPico(_ picoUSD: Int) -> Int {
        let clamped = min(max(0, picoUSD), Int.max / 2)
        return (clamped + 999) / 1000
    }
}

/// Where money budgets find a model's price. The usage ledger's price table conforms; tests use
/// `RateLimitPriceList`.
public protocol RateLimitPricing: Sendable {
    /// The price of `model` (its public name); nil when the model has none, in which case a
    /// request under a money budget is refused rather than let through uncounted.
    func rateLimitPrice(forModel model: String) -> RateLimitPrice?
}

/// Prices by model name.
public struct RateLimitPriceList: RateLimitPricing, Hashable {
    public var prices: [String: RateLimitPrice]

    public init(_ prices: [String: RateLimitPrice] = [:]) {
        self.prices = prices
    }

    public func rateLimitPrice(forModel model: String) -> RateLimitPrice? {
        prices[model]
    }
}

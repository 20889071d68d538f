/// The configured price of each model, and the cost of a request from its token counts.
///
/// Entries name a model exactly or by a glob (`ModelPattern`: `claude-3-5-sonnet-*` for the dated
/// snapshots a provider answers with). A lookup takes the exact entry when there is one, otherwise the
/// first glob, in config order, that matches. A record is priced by the model that was served (what
/// the provider billed) and, failing that, by the model that was requested.
///
/// Shared by the ledger (cost per request) and the limiter (money budgets), so both count the same.
public struct PriceTable: Sendable, Hashable {
    /// One `prices:` entry.
    public struct Entry: Sendable, Hashable {
        public var model: ModelPattern
        public var price: ModelPrice

        public init(model: ModelPattern, price: ModelPrice) {
            self.model = model
            self.price = price
        }
    }

    public let entries: [Entry]
    private let exact: [String: ModelPrice]
    private let globs: [Entry]

    public init(_ entries: [Entry] = []) {
        self.entries = entries
        var exact: [String: ModelPrice] = [:]
        for entry in entries where entry.model.isLiteral && exact[entry.model.pattern] == nil {
            exact[entry.model.pattern] = entry.price
        }
        self.exact = exact
        self.globs = entries.filter { !$0.model.isLiteral }
    }

    public static let empty = PriceTable()

    /// Equal when the entries are: the lookups are built from them.
    public static func == (lhs: PriceTable, rhs: PriceTable) -> Bool {
        lhs.entries == rhs.entries
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries)
    }

    public var isEmpty: Bool {
        entries.isEmpty
    }

    /// The price of `model`: its exact entry, else the first matching glob.
    public func price(for model: String) -> ModelPrice? {
        exact[model] ?? globs.first { $0.model.matches(model) }?.price
    }

    /// The cost of `usage` served by `model`, in micro-dollars; nil when `model` has no price.
    public func cost(of usage: TokenUsage, model: String) -> Int64? {
        price(for: model)?.cost(of: usage)
    }

    /// The cost of a record in micro-dollars: priced by its served model, else its requested model.
    /// A record without tokens (a refused request) costs 0 even when its model has no price; one with
    /// tokens and no price gets nil, which reports count as unpriced rather than free.
    public func cost(of record: UsageRecord) -> Int64? {
        cost(of: record.usage, servedModel: record.servedModel, requestedModel: record.requestedModel)
    }

    /// The cost of `usage` in micro-dollars, priced by `servedModel`, else `requestedModel`: 0 without
    /// tokens, nil with tokens and no price for either (see `cost(of:)` for a record).
    public func cost(of usage: TokenUsage, servedModel: String?, requestedModel: String?) -> Int64? {
        if usage.inputTokens == 0 && usage.outputTokens == 0 && usage.cachedInputTokens == 0
            && usage.cacheCreationInputTokens == 0
        {
            return 0
        }
        if let servedModel, let price = price(for: servedModel) {
            return price.cost(of: usage)
        }
        if let requestedModel, let price = price(for: requestedModel) {
            return price.cost(of: usage)
        }
        return nil
    }

}

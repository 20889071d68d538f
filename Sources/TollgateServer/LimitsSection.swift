import Gateway
import Yams

/// The `limits:` section: token, request, concurrency and money limits on gateway keys, tenants
/// and models (issue 6; the algorithm is in README "Rate limits and budgets").
///
/// ```yaml
/// limits:
///   - key: team-a                  # one key's requests
///     tokens_per_minute: 100000    # input + output tokens; sliding 60 s window
///     requests_per_minute: 600
///     concurrent_requests: 20      # requests in flight at once
///   - tenant: acme                 # every key of the tenant, together
///     tokens_per_day: 5000000      # UTC day
///     budget_usd_per_month: 500    # UTC month, dollars priced by `prices:`
///   - model: gpt-4o                # every request for the model (its name, not an alias)
///     tokens_per_hour: 2000000
///   - key: team-a                  # one key's requests for one model
///     model: gpt-4o
///     budget_usd_per_day: 12.50
/// ```
/// Each item has one scope (`key`, `tenant`, `model`, or `key` with `model`) and at least one
/// limit; a scope appears in one item only. Every rule whose scope matches a request applies.
/// Names must exist in `keys:` and `models:`, and a budget on a model needs its price.
public struct LimitsSection: ConfigListSection {
    static let key = "limits"

    public var rules: [RateLimitRule] = []
    /// Where each rule's scope is written (its `key`, `tenant` or `model` line), for errors about
    /// the names it uses.
    var scopeLines: [RateLimitScope: Int?] = [:]
    /// Whether an item was left out for an error (then checks across sections are skipped).
    var hasErrors = false

    static let countKinds: [RateLimitKind] = [
        .tokensPerMinute, .tokensPerHour, .tokensPerDay, .tokensPerMonth, .requestsPerMinute, .concurrentRequests,
    ]
    static let budgetKinds: [RateLimitKind] = [.budgetUSDPerDay, .budgetUSDPerMonth]
    static let amountRange = 1...RateLimitRule.maximumAmount
    static let budgetExpected = "dollars, such as 12.50 (at most 6 decimals, more than 0)"
    static let scopeExpected = "'key', 'tenant', 'model', or 'key' with 'model'"

    public init() {}

    init(from list: ConfigList, diagnostics: inout ConfigDiagnostics) {
        for index in list.items.indices {
            let read = diagnostics.attempt { () throws(ConfigError) -> (RateLimitRule, Int?) in
                var mapping = try list.mapping(at: index)
                let (rule, line) = try Self.rule(from: &mapping)
                if let first = scopeLines[rule.scope] {
                    throw ConfigError(
                        file: list.file,
                        line: line,
                        message: "\(mapping.path): \(rule.scope) already has limits"
                            + (first.map { " (line \($0))" } ?? "") + "; put them in one item"
                    )
                }
                return (rule, line)
            }
            guard let (rule, line) = read else {
                hasErrors = true
                continue
            }
            rules.append(rule)
            scopeLines[rule.scope] = line
        }
    }

    private static func rule(from mapping: inout ConfigMapping) throws(ConfigError) -> (RateLimitRule, Int?) {
        let key = try mapping.text("key", expected: ConfigNames.nameExpected, ConfigNames.name)
        let tenant = try mapping.text("tenant", expected: ConfigNames.nameExpected, ConfigNames.name)
        let model = try mapping.text("model", expected: ConfigNames.nameExpected, ConfigNames.name)
        let scope: RateLimitScope
        let line: Int?
        switch (key, tenant, model) {
        case (let key?, nil, nil):
            (scope, line) = (.key(key), mapping.line(of: "key"))
        case (nil, let tenant?, nil):
            (scope, line) = (.tenant(tenant), mapping.line(of: "tenant"))
        case (nil, nil, let model?):
            (scope, line) = (.model(model), mapping.line(of: "model"))
        case (let key?, nil, let model?):
            (scope, line) = (.keyModel(key: key, model: model), mapping.line(of: "key"))
        case (nil, nil, nil):
            throw ConfigError(
                file: mapping.file,
                line: mapping.line,
                message: "\(mapping.path): expected \(scopeExpected)"
            )
        case (_, _?, _):
            throw mapping.invalid(
                "tenant",
                "a tenant limit cannot also name a key or a model; expected \(scopeExpected)"
            )
        }
        var limits: [RateLimitKind: Int] = [:]
        for kind in countKinds {
            let range = kind == .concurrentRequests ? 1...1_000_000 : amountRange
            if let amount = try mapping.integer(kind.configKey, in: range) {
                limits[kind] = amount
            }
        }
        for kind in budgetKinds {
            let micro = try mapping.scalar(kind.configKey, expected: budgetExpected) { scalar, type -> Int64? in
                guard type == .int || type == .float || type == .str, let micro = MicroDollars.parse(scalar.string),
                    micro > 0, micro <= Int64(RateLimitRule.maximumAmount)
                else {
                    return nil
                }
                return micro
            }
            if let micro {
                limits[kind] = Int(micro)
            }
        }
        // A misspelt limit is the likelier cause of "no limit set".
        try mapping.rejectUnknownKeys()
        if limits.isEmpty {
            throw ConfigError(
                file: mapping.file,
                line: mapping.line,
                message: "\(mapping.path): no limit set; expected one or more of "
                    + RateLimitKind.allCases.map(\.configKey).joined(separator: ", ")
            )
        }
        return (RateLimitRule(scope: scope, limits: limits), line)
    }

    /// Scopes naming a key, tenant or model the config does not have, model aliases (limits
    /// count requests by the model's name), and budgets on models without a price. Not run when
    /// `keys:`, `models:` or `limits:` left an item out, since the name may be the one left out.
    func unknownReferences(
        keys: [GatewayKeyConfig],
        models: [ModelConfig],
        prices: PriceTable,
        file: String
    ) -> [ConfigError] {
        let keyNames = Set(keys.map(\.name))
        let tenants = Set(keys.map(\.tenant))
        let modelNames = Set(models.map(\.name))
        var aliases: [String: String] = [:]
        for model in models {
            for alias in model.aliases { aliases[alias] = model.name }
        }
        var errors: [ConfigError] = []
        for (index, rule) in rules.enumerated() {
            let line = scopeLines[rule.scope] ?? nil
            func problem(_ message: String) {
                errors.append(ConfigError(file: file, line: line, message: "limits[\(index)]: \(message)"))
            }
            func checkModel(_ model: String) {
                if let name = aliases[model] {
                    problem("'\(model)' is an alias of model '\(name)'; limits name models by their name")
                } else if !modelNames.contains(model) {
                    problem("no model named '\(model)'")
                } else if rule.limits.keys.contains(where: { $0.unit == .microUSD }), prices.price(for: model) == nil {
                    problem("a budget on model '\(model)' needs its price in prices:")
                }
            }
            switch rule.scope {
            case .key(let key):
                if !keyNames.contains(key) { problem("no key named '\(key)'") }
            case .tenant(let tenant):
                if !tenants.contains(tenant) { problem("no key has tenant '\(tenant)'") }
            case .model(let model):
                checkModel(model)
            case .keyModel(let key, let model):
                if !keyNames.contains(key) { problem("no key named '\(key)'") }
                checkModel(model)
            }
        }
        return errors
    }
}

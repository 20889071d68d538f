import ExtProc

/// How each `RateLimitError` appears to the client, in the shapes `GatewayError` uses: 429 with
/// `Retry-After` for a limit, OpenAI's `type` `tokens` / `requests` / `insufficient_quota` (as
/// OpenAI's own 429s have) and Anthropic's `rate_limit_error`. The message names the limit and
/// its scope, which the client's operator configured for it, and nothing else of the gateway.
extension RateLimitError {
    public var status: Int {
        switch self {
        case .limitReached, .exceedsLimit: 429
        case .unpricedModel: 500
        case .storeUnavailable: 503
        }
    }

    /// `Retry-After` in seconds; nil when no wait helps.
    public var retryAfterSeconds: Int? {
        switch self {
        case .limitReached(let refusal): refusal.retryAfterSeconds
        case .storeUnavailable: 1
        case .exceedsLimit, .unpricedModel: nil
        }
    }

    /// `error.type` in OpenAI's shape.
    public var openAIType: String {
        switch self {
        case .limitReached(let refusal), .exceedsLimit(let refusal):
            switch refusal.counter.kind.unit {
            case .tokens: "tokens"
            case .requests, .concurrentRequests: "requests"
            case .microUSD: "insufficient_quota"
            }
        case .unpricedModel, .storeUnavailable: "server_error"
        }
    }

    /// `error.code` in OpenAI's shape.
    public var openAICode: String? {
        switch self {
        case .limitReached(let refusal), .exceedsLimit(let refusal):
            refusal.counter.kind.unit == .microUSD ? "insufficient_quota" : "rate_limit_exceeded"
        case .unpricedModel, .storeUnavailable: nil
        }
    }

    /// `error.type` in Anthropic's shape.
    public var anthropicType: String {
        switch self {
        case .limitReached, .exceedsLimit: "rate_limit_error"
        case .unpricedModel, .storeUnavailable: "api_error"
        }
    }

    public var message: String {
        switch self {
        case .limitReached(let refusal):
            let what = refusal.counter.kind.unit == .microUSD ? "Budget" : "Rate limit"
            return "\(what) reached for \(refusal.counter.kind.words) on \(refusal.counter.scope): "
                + "limit \(Self.amount(refusal.limit, refusal)), used \(Self.amount(refusal.used, refusal)), "
                + "requested \(Self.amount(refusal.requested, refusal)). "
                + "Try again in \(RateLimitHeaders.duration(Int64(refusal.retryAfterSeconds) * 1000))."
        case .exceedsLimit(let refusal):
            let cause =
                switch refusal.counter.kind.unit {
                case .tokens: " (estimated input tokens plus max_tokens)"
                case .microUSD: " (the most the estimated input and max_tokens can cost)"
                case .requests, .concurrentRequests: ""
                }
            return "Request too large for \(refusal.counter.kind.words) on \(refusal.counter.scope): "
                + "limit \(Self.amount(refusal.limit, refusal)), requested \(Self.amount(refusal.requested, refusal))"
                + "\(cause). Reduce the input or max_tokens."
        case .unpricedModel, .storeUnavailable:
            return "The gateway could not check this request against its rate limits."
        }
    }

    /// A token for Envoy's access log and the `reason` metric label.
    public var kind: String {
        switch self {
        case .limitReached(let refusal): "rate_limited_" + refusal.counter.kind.configKey
        case .exceedsLimit: "rate_limit_exceeded_by_request"
        case .unpricedModel: "rate_limit_unpriced_model"
        case .storeUnavailable: "rate_limit_store_unavailable"
        }
    }

    /// Every kind, for registering metrics up front.
    public static let allKinds =
        RateLimitKind.allCases.map { "rate_limited_" + $0.configKey } + [
            "rate_limit_exceeded_by_request", "rate_limit_unpriced_model", "rate_limit_store_unavailable",
        ]

    /// The error body in `dialect`'s shape (`GatewayError`'s shapes, `param` null).
    public func body(in dialect: APIDialect) -> [UInt8] {
        switch dialect {
        case .openAI: ErrorBodies.body(in: .openAI, type: openAIType, message: message, code: openAICode)
        case .anthropic: ErrorBodies.body(in: .anthropic, type: anthropicType, message: message)
        }
    }

    /// The reply that ends the exchange: status, JSON content type, `retry-after` when a wait
    /// helps, the refusing limit's `x-ratelimit-*` headers when it counts tokens or requests,
    /// and the body in `dialect`.
    public func immediateResponse(in dialect: APIDialect) -> ImmediateResponse {
        var headers: [HeaderValueOption] = []
        if let retryAfterSeconds {
            headers.append(
                HeaderValueOption(
                    HeaderField(name: "retry-after", value: String(retryAfterSeconds)),
                    appendAction: .overwriteIfExistsOrAdd
                )
            )
        }
        switch self {
        case .limitReached(let refusal), .exceedsLimit(let refusal):
            let status = RateLimitCounterStatus(
                limit: refusal.limit,
                used: refusal.used,
                resetMilliseconds: refusal.resetMilliseconds
            )
            headers += RateLimitHeaders(kind: refusal.counter.kind, status: status).headerOptions
        case .unpricedModel, .storeUnavailable:
            break
        }
        return ErrorBodies.immediateResponse(
            status: status,
            body: body(in: dialect),
            headers: headers,
            details: "tollgate_" + kind
        )
    }

    /// An amount in the limit's unit: a count, or dollars for budgets (`$0.0123`, `$10.00`).
    static func amount(_ value: Int, _ refusal: RateLimitRefusal) -> String {
        guard refusal.counter.kind.unit == .microUSD else { return String(value) }
        return dollars(microUSD: value)
    }

    /// Micro-dollars as dollars with 2 to 6 decimals.
    static func dollars(microUSD: Int) -> String {
        let micro = max(0, microUSD)
        let whole = micro / 1_000_000
        var fraction = String(String(micro % 1_000_000 + 1_000_000).dropFirst())
        while fraction.count > 2, fraction.hasSuffix("0") {
            fraction.removeLast()
        }
        return "$\(whole).\(fraction)"
    }
}

import ExtProc

/// The `x-ratelimit-*` response headers, as OpenAI sends them, computed from the tightest
/// applicable limit of each unit: among the token limits (per minute, hour, day, month) the one
/// with the least remaining, and the `requests_per_minute` limit.
///
/// - `x-ratelimit-limit-tokens`, `x-ratelimit-remaining-tokens`, `x-ratelimit-reset-tokens`;
/// - `x-ratelimit-limit-requests`, `x-ratelimit-remaining-requests`, `x-ratelimit-reset-requests`.
///
/// Remaining counts this request's reservation as used (it is settled later); reset is how long
/// until the counter would be empty if nothing more were charged, in OpenAI's format (`1s`,
/// `6m0s`, `1h2m3s`, `250ms`). A unit with no applicable limit sends no headers.
public struct RateLimitHeaders: Sendable, Hashable {
    public var tokens: RateLimitCounterStatus?
    public var requests: RateLimitCounterStatus?

    public init(tokens: RateLimitCounterStatus? = nil, requests: RateLimitCounterStatus? = nil) {
        self.tokens = tokens
        self.requests = requests
    }

    /// The tightest token and request limits among `statuses` of the counters of `charges` (same
    /// order).
    init(charges: [RateLimitCharge], statuses: [RateLimitCounterStatus]) {
        for index in charges.indices where index < statuses.count {
            add(charges[index].counter.kind, statuses[index])
        }
    }

    /// The headers of one counter.
    init(kind: RateLimitKind, status: RateLimitCounterStatus) {
        add(kind, status)
    }

    private mutating func add(_ kind: RateLimitKind, _ status: RateLimitCounterStatus) {
        switch kind.unit {
        case .tokens:
            tokens = Self.tighter(tokens, status)
        case .requests:
            requests = Self.tighter(requests, status)
        case .concurrentRequests, .microUSD:
            break
        }
    }

    /// The one with less remaining; on a tie, the one that takes longer to reset.
    private static func tighter(
        _ current: RateLimitCounterStatus?,
        _ candidate: RateLimitCounterStatus
    )
        -> RateLimitCounterStatus
    {
        guard let current else { return candidate }
        if candidate.remaining != current.remaining {
            return candidate.remaining < current.remaining ? candidate : current
        }
        return candidate.resetMilliseconds > current.resetMilliseconds ? candidate : current
    }

    public var isEmpty: Bool { tokens == nil && requests == nil }

    /// The headers, tokens first.
    public var fields: [HeaderField] {
        var fields: [HeaderField] = []
        if let requests {
            fields.append(HeaderField(name: "x-ratelimit-limit-requests", value: String(requests.limit)))
            fields.append(HeaderField(name: "x-ratelimit-remaining-requests", value: String(requests.remaining)))
            fields.append(
                HeaderField(name: "x-ratelimit-reset-requests", value: Self.duration(requests.resetMilliseconds))
            )
        }
        if let tokens {
            fields.append(HeaderField(name: "x-ratelimit-limit-tokens", value: String(tokens.limit)))
            fields.append(HeaderField(name: "x-ratelimit-remaining-tokens", value: String(tokens.remaining)))
            fields.append(HeaderField(name: "x-ratelimit-reset-tokens", value: Self.duration(tokens.resetMilliseconds)))
        }
        return fields
    }

    /// The headers as a response-headers mutation sets them, replacing any the provider sent
    /// (the provider's describe the gateway's own account, not this client's limits).
    public var headerOptions: [HeaderValueOption] {
        fields.map { HeaderValueOption($0, appendAction: .overwriteIfExistsOrAdd) }
    }

    /// The six header names, requests first.
    public static let names = [
        "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
        "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
    ]

    /// The names of the unit with no applicable limit (requests, tokens or both), so that a
    /// provider's headers for it do not pass as the client's.
    public var unsetNames: ArraySlice<String> {
        switch (requests, tokens) {
        case (nil, nil): Self.names[...]
        case (nil, _): Self.names[0..<3]
        case (_, nil): Self.names[3..<6]
        default: []
        }
    }

    /// A duration as OpenAI writes it: `250ms` under a second, else hours, minutes and whole
    /// seconds rounded up (`1s`, `6m0s`, `1h0m0s`).
    public static func duration(_ milliseconds: Int64) -> String {
        if milliseconds <= 0 { return "0s" }
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        let seconds = (milliseconds + 999) / 1000
        let (hours, minutes, rest) = (seconds / 3600, seconds / 60 % 60, seconds % 60)
        if hours > 0 { return "\(hours)h\(minutes)m\(rest)s" }
        if minutes > 0 { return "\(minutes)m\(rest)s" }
        return "\(rest)s"
    }
}

import ExtProc
import Foundation
import Testing

@testable import Gateway

/// `x-ratelimit-*` headers and the 429 in each dialect.
@Suite struct RateLimitResponseTests {
    let subject = RateLimitSubject(keyName: "team-a", tenant: "acme", model: "gpt-4o")

    private func header(_ name: String, in fields: [HeaderField]) -> String? {
        fields.first { $0.name == name }?.value
    }

    @Test func headersComeFromTheTightestTokenLimitAndTheRequestLimit() throws {
        let limiter = RateLimiter(store: LocalRateLimitStore())
        let policy = RateLimitPolicy(rules: [
            RateLimitRule(scope: .key("team-a"), limits: [.tokensPerMinute: 10_000, .requestsPerMinute: 60]),
            RateLimitRule(scope: .tenant("acme"), limits: [.tokensPerDay: 1_000_000, .concurrentRequests: 10]),
        ])
        let noon = utc(year: 2026, month: 6, day: 1, hour: 12, minute: 0, second: 0)
        let first = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 1000, maxOutputTokens: 1000),
            policy: policy,
            now: noon
        )
        // Minute: 8 000 of 10 000 left; day: 998 000 of 1 000 000. The minute is tighter.
        let fields = first.headers.fields
        #expect(header("x-ratelimit-limit-tokens", in: fields) == "10000")
        #expect(header("x-ratelimit-remaining-tokens", in: fields) == "8000")
        #expect(header("x-ratelimit-reset-tokens", in: fields) == "1m1s")
        #expect(header("x-ratelimit-limit-requests", in: fields) == "60")
        #expect(header("x-ratelimit-remaining-requests", in: fields) == "59")
        #expect(header("x-ratelimit-reset-requests", in: fields) == "1m1s")
        #expect(fields.count == 6)
        limiter.settle(first, usage: TokenUsage(inputTokens: 10, outputTokens: 10), now: noon + .seconds(1))
        // Settled to 20; 90 s on the minute window is empty, the day is the only token limit left with usage.
        let later = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 500, maxOutputTokens: 0),
            policy: policy,
            now: noon + .seconds(30)
        )
        #expect(later.headers.tokens == RateLimitCounterStatus(limit: 10_000, used: 520, resetMilliseconds: 61_000))
        let options = later.headers.headerOptions
        #expect(options.allSatisfy { $0.appendAction == .overwriteIfExistsOrAdd })
        // Once the minute is nearly spent, the day is no longer tighter... and vice versa.
        let dayTight = RateLimitHeaders(
            charges: [
                RateLimitCharge(
                    counter: RateLimitCounterID(scope: .key("k"), kind: .tokensPerMinute),
                    limit: 1,
                    amount: 1
                ),
                RateLimitCharge(
                    counter: RateLimitCounterID(scope: .tenant("t"), kind: .tokensPerDay),
                    limit: 1,
                    amount: 1
                ),
            ],
            statuses: [
                RateLimitCounterStatus(limit: 10_000, used: 100, resetMilliseconds: 1000),
                RateLimitCounterStatus(limit: 1_000_000, used: 999_000, resetMilliseconds: 3_600_000),
            ]
        )
        #expect(dayTight.tokens?.limit == 1_000_000 && dayTight.tokens?.remaining == 1000)
        #expect(dayTight.requests == nil)
        #expect(header("x-ratelimit-reset-tokens", in: dayTight.fields) == "1h0m0s")
    }

    @Test func durationsAreWrittenTheWayOpenAIWritesThem() {
        #expect(RateLimitHeaders.duration(0) == "0s")
        #expect(RateLimitHeaders.duration(250) == "250ms")
        #expect(RateLimitHeaders.duration(1000) == "1s")
        #expect(RateLimitHeaders.duration(1001) == "2s")
        #expect(RateLimitHeaders.duration(360_000) == "6m0s")
        #expect(RateLimitHeaders.duration(3_723_000) == "1h2m3s")
    }

    @Test func noApplicableTokenOrRequestLimitSendsNoHeaders() throws {
        let limiter = RateLimiter(store: LocalRateLimitStore())
        let policy = RateLimitPolicy(rules: [RateLimitRule(scope: .model("gpt-4o"), limits: [.concurrentRequests: 3])])
        let reservation = try limiter.reserve(
            subject,
            demand: RateLimitDemand(inputTokens: 1, maxOutputTokens: 1),
            policy: policy,
            now: at(0)
        )
        #expect(!reservation.isEmpty && reservation.headers.isEmpty && reservation.headers.fields.isEmpty)
    }

    private func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    private let tokensRefusal = RateLimitError.limitReached(
        RateLimitRefusal(
            counter: RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerMinute),
            limit: 10_000,
            used: 9500,
            requested: 1200,
            retryAfterSeconds: 12,
            resetMilliseconds: 40_000
        )
    )

    @Test func aRefusalIsA429WithRetryAfterAndTheLimitNamedInOpenAIsShape() throws {
        let response = tokensRefusal.immediateResponse(in: .openAI)
        #expect(response.status == 429)
        #expect(response.details == "tollgate_rate_limited_tokens_per_minute")
        let headers = response.headers.setHeaders.map(\.header)
        #expect(header("retry-after", in: headers) == "12")
        #expect(header("content-type", in: headers) == "application/json")
        #expect(header("x-ratelimit-limit-tokens", in: headers) == "10000")
        #expect(header("x-ratelimit-remaining-tokens", in: headers) == "500")
        #expect(header("x-ratelimit-reset-tokens", in: headers) == "40s")
        let error = try #require(try json(response.body)["error"] as? [String: Any])
        #expect(error["type"] as? String == "tokens")
        #expect(error["code"] as? String == "rate_limit_exceeded")
        #expect(error["param"] is NSNull)
        #expect(
            error["message"] as? String
                == "Rate limit reached for tokens per minute on key 'team-a': limit 10000, used 9500, requested 1200. "
                + "Try again in 12s."
        )
    }

    @Test func aRefusalInAnthropicsShapeIsARateLimitError() throws {
        let body = try json(tokensRefusal.body(in: .anthropic))
        #expect(body["type"] as? String == "error")
        let error = try #require(body["error"] as? [String: Any])
        #expect(error["type"] as? String == "rate_limit_error")
        #expect((error["message"] as? String)?.hasPrefix("Rate limit reached for tokens per minute") == true)
    }

    @Test func everyCaseMapsToItsStatusTypesAndKind() throws {
        let requests = RateLimitRefusal(
            counter: RateLimitCounterID(scope: .keyModel(key: "k", model: "m"), kind: .concurrentRequests),
            limit: 2,
            used: 2,
            requested: 1,
            retryAfterSeconds: 1
        )
        let tooLarge = RateLimitError.exceedsLimit(
            RateLimitRefusal(
                counter: RateLimitCounterID(scope: .tenant("acme"), kind: .tokensPerMinute),
                limit: 4000,
                used: 0,
                requested: 4196,
                retryAfterSeconds: 1
            )
        )
        let cases: [(RateLimitError, Int, String, String?, String, String?)] = [
            (tokensRefusal, 429, "tokens", "rate_limit_exceeded", "rate_limit_error", "12"),
            (.limitReached(requests), 429, "requests", "rate_limit_exceeded", "rate_limit_error", "1"),
            (tooLarge, 429, "tokens", "rate_limit_exceeded", "rate_limit_error", nil),
            (.unpricedModel("m"), 500, "server_error", nil, "api_error", nil),
            (.storeUnavailable("connection refused"), 503, "server_error", nil, "api_error", "1"),
        ]
        for (error, status, openAIType, code, anthropicType, retryAfter) in cases {
            let response = error.immediateResponse(in: .openAI)
            #expect(response.status == status)
            let body = try #require(try json(response.body)["error"] as? [String: Any])
            #expect(body["type"] as? String == openAIType)
            #expect(body["code"] as? String == code)
            let anthropic = try #require(try json(error.body(in: .anthropic))["error"] as? [String: Any])
            #expect(anthropic["type"] as? String == anthropicType)
            #expect(header("retry-after", in: response.headers.setHeaders.map(\.header)) == retryAfter)
            #expect(RateLimitError.allKinds.contains(error.kind))
        }
        #expect(
            tooLarge.message
                == "Request too large for tokens per minute on tenant 'acme': limit 4000, requested 4196 "
                + "(estimated input tokens plus max_tokens). Reduce the input or max_tokens."
        )
        // Internal reasons stay in logs.
        #expect(!RateLimitError.storeUnavailable("connection refused").message.contains("refused"))
        #expect(RateLimitError.storeUnavailable("connection refused").description.contains("refused"))
        #expect(
            RateLimitError.limitReached(requests).message.contains("concurrent requests on key 'k' with model 'm'")
        )
        #expect(Set(RateLimitError.allKinds).count == RateLimitError.allKinds.count)
    }

    @Test func dollarsAreShownWithTwoToSixDecimals() {
        #expect(RateLimitError.dollars(microUSD: 0) == "$0.00")
        #expect(RateLimitError.dollars(microUSD: 10_000_000) == "$10.00")
        #expect(RateLimitError.dollars(microUSD: 18_750) == "$0.01875")
        #expect(RateLimitError.dollars(microUSD: 1) == "$0.000001")
    }
}

import ExtProc
import Foundation
import Gateway
import Testing

/// The limiter on the request path: reserved when the router reads the body, refused there with
/// 429 in the client's dialect, headers on the response, settled from the response's usage.
@Suite struct PhasesRateLimitTests {
    /// `team-a` may spend 1 000 tokens a minute and have 2 requests in flight.
    static func gateway(
        limits: [RateLimitKind: Int] = [.tokensPerMinute: 1000, .concurrentRequests: 2]
    )
        -> GatewayHarness
    {
        var config = GatewayFixture.config()
        config.limits = [RateLimitRule(scope: .key("team-a"), limits: limits)]
        config.settings.defaultMaxTokens = 300
        return GatewayHarness(snapshot: GatewaySnapshot(config: config, credentials: GatewayFixture.credentials))
    }

    static let tokensPerMinute = RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerMinute)
    static let concurrent = RateLimitCounterID(scope: .key("team-a"), kind: .concurrentRequests)

    /// A chat body of exactly `bytes` bytes (so its estimate is `bytes / 4` tokens) with `extra`
    /// members.
    static func body(bytes: Int = 400, extra: String = "") -> String {
        let head = #"{"model":"gpt-4o-mini"\#(extra),"messages":[{"role":"user","content":""#
        let tail = #""}]}"#
        return head + String(repeating: "a", count: max(0, bytes - head.utf8.count - tail.utf8.count)) + tail
    }

    static let completion = #"""
        {"id":"c1","object":"chat.completion","model":"gpt-4o-mini","choices":[{"index":0,
        "message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],
        "usage":{"prompt_tokens":40,"completion_tokens":2,"total_tokens":42}}
        """#

    func used(_ gateway: GatewayHarness, _ counter: RateLimitCounterID) -> Int {
        gateway.counters.used(counter, now: gateway.clock.wallTime)
    }

    @Test func reservationHoldsEstimatedInputPlusMaxTokensUntilTheResponseSettlesIt() throws {
        let gateway = Self.gateway()
        let exchange = try Exchange(gateway, body: Self.body(bytes: 400, extra: #","max_tokens":200"#))
        #expect(used(gateway, Self.tokensPerMinute) == 100 + 200)
        #expect(used(gateway, Self.concurrent) == 1)

        _ = exchange.attempt("gpt-4o-mini/0")
        // A JSON body is read whole: the headers reply waits for it, with what the headers decided.
        #expect(exchange.responseHeaders([("x-ratelimit-remaining-tokens", "999999")]) == .held)
        let end = exchange.responseBody(Self.completion)
        #expect(end.setHeader("x-ratelimit-limit-tokens") == "1000")
        #expect(end.setHeader("x-ratelimit-remaining-tokens") == "700")
        #expect(end.setHeader("x-ratelimit-reset-tokens") != nil)
        #expect(end.removedHeaders.contains("x-ratelimit-limit-requests"), "no request limit applies")

        #expect(used(gateway, Self.tokensPerMinute) == 42, "settled to the provider's count")
        #expect(used(gateway, Self.concurrent) == 0)
        #expect(end.tollgateMetadata?["settled_tokens"] == .number(42))
    }

    @Test func theLargestOutputCapIsReservedAndTheDefaultWhenThereIsNone() throws {
        let gateway = Self.gateway()
        let capped = try Exchange(
            gateway,
            body: Self.body(bytes: 400, extra: #","max_tokens":10,"max_completion_tokens":50"#)
        )
        #expect(used(gateway, Self.tokensPerMinute) == 150)
        capped.router.streamDidEnd(.reset)
        let uncapped = try Exchange(gateway, body: Self.body(bytes: 400))
        #expect(used(gateway, Self.tokensPerMinute) == 100 + 300, "the configured default_max_tokens")
        uncapped.router.streamDidEnd(.reset)
    }

    @Test func aRequestOverTheRemainingTokensGets429InOpenAIShape() throws {
        let gateway = Self.gateway()
        let first = try Exchange(gateway, body: Self.body(bytes: 400, extra: #","max_tokens":500"#))
        let (_, _, reply) = gateway.route(body: Self.body(bytes: 400, extra: #","max_tokens":500"#))
        let refusal = try #require(reply.immediate)
        #expect(refusal.status == 429)
        #expect(try errorField(refusal, "type") == "tokens")
        #expect(try errorField(refusal, "code") == "rate_limit_exceeded")
        #expect(try errorField(refusal, "message")?.contains("tokens per minute") == true)
        let retryAfter = refusal.headers.setHeaders.first { $0.header.name == "retry-after" }?.header.value
        #expect(retryAfter.flatMap { Int($0) }.map { $0 >= 1 && $0 <= 61 } == true)
        #expect(reply.tollgateMetadata?["rejection"] == .string("rate_limited_tokens_per_minute"))
        #expect(gateway.observer.completions.last?.status == 429)
        #expect(gateway.metric(#"tollgate_gateway_rejections_total{reason="rate_limited_tokens_per_minute"} 1"#))
        #expect(used(gateway, Self.tokensPerMinute) == 600, "the refused request holds nothing")
        first.router.streamDidEnd(.reset)
    }

    @Test func aMessagesClientIsRefusedInAnthropicShape() throws {
        let gateway = Self.gateway(limits: [.requestsPerMinute: 1])
        let body = #"{"model":"gpt-4o-mini","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#
        let first = try Exchange(gateway, path: "/v1/messages", body: body)
        let (_, _, reply) = gateway.route(path: "/v1/messages", body: body)
        let refusal = try #require(reply.immediate)
        #expect(refusal.status == 429)
        let root = try jsonObject(refusal.body)
        #expect(root["type"] as? String == "error")
        #expect((root["error"] as? [String: Any])?["type"] as? String == "rate_limit_error")
        first.router.streamDidEnd(.reset)
    }

    @Test func aRequestLargerThanTheLimitItselfIsRefusedWithoutRetryAfter() throws {
        let gateway = Self.gateway()
        let (_, _, reply) = gateway.route(body: Self.body(bytes: 400, extra: #","max_tokens":5000"#))
        let refusal = try #require(reply.immediate)
        #expect(refusal.status == 429)
        #expect(!refusal.headers.setHeaders.contains { $0.header.name == "retry-after" })
        #expect(try errorField(refusal, "message")?.contains("Reduce the input or max_tokens") == true)
    }

    @Test func concurrencyIsHeldUntilEachStreamEnds() throws {
        let gateway = Self.gateway()
        let first = try Exchange(gateway, body: Self.body(bytes: 40, extra: #","max_tokens":1"#))
        let second = try Exchange(gateway, body: Self.body(bytes: 40, extra: #","max_tokens":1"#))
        let (_, _, third) = gateway.route(body: Self.body(bytes: 40, extra: #","max_tokens":1"#))
        #expect(third.immediate?.status == 429)
        #expect(try errorField(third.immediate, "type") == "requests")

        first.router.streamDidEnd(.reset)
        #expect(used(gateway, Self.concurrent) == 1)
        let fourth = try Exchange(gateway, body: Self.body(bytes: 40, extra: #","max_tokens":1"#))
        second.router.streamDidEnd(.reset)
        fourth.router.streamDidEnd(.halfClosed)
        #expect(used(gateway, Self.concurrent) == 0)
    }

    @Test func anInterruptedStreamKeepsWhatItShowedAndReleasesTheRest() throws {
        let gateway = Self.gateway()
        let exchange = try Exchange(
            gateway,
            body: Self.body(bytes: 400, extra: #","max_tokens":500,"stream":true"#)
        )
        _ = exchange.attempt("gpt-4o-mini/0")
        _ = exchange.responseHeaders(contentType: "text/event-stream")
        _ = exchange.responseBody(
            #"data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"hi"}}],"usage":{"prompt_tokens":30,"completion_tokens":5,"total_tokens":35}}"#
                + "\n\n",
            endOfStream: false
        )
        #expect(used(gateway, Self.tokensPerMinute) == 600)
        exchange.router.streamDidEnd(.reset)
        #expect(used(gateway, Self.tokensPerMinute) == 35, "what the stream showed, not the reservation")
        #expect(used(gateway, Self.concurrent) == 0)
    }

    @Test func anUpstreamErrorReleasesTheReservation() throws {
        let gateway = Self.gateway()
        let exchange = try Exchange(gateway, body: Self.body(bytes: 400, extra: #","max_tokens":500"#))
        _ = exchange.attempt("gpt-4o-mini/0")
        _ = exchange.responseHeaders(status: 503)
        _ = exchange.responseBody(#"{"error":{"message":"overloaded","type":"server_error"}}"#)
        #expect(used(gateway, Self.tokensPerMinute) == 0)
        #expect(used(gateway, Self.concurrent) == 0)
    }

    @Test func theWindowRollsWithTheWallClock() throws {
        let gateway = Self.gateway()
        let exchange = try Exchange(gateway, body: Self.body(bytes: 400, extra: #","max_tokens":500"#))
        _ = exchange.attempt("gpt-4o-mini/0")
        _ = exchange.responseHeaders()
        _ = exchange.responseBody(
            Self.completion.replacingOccurrences(of: "\"completion_tokens\":2", with: "\"completion_tokens\":900")
        )
        #expect(gateway.route(body: Self.body(bytes: 400, extra: #","max_tokens":100"#)).body.immediate?.status == 429)
        gateway.clock.advance(by: .seconds(61))
        let later = try Exchange(gateway, body: Self.body(bytes: 400, extra: #","max_tokens":100"#))
        later.router.streamDidEnd(.reset)
    }

    @Test func withoutLimitsTheProvidersHeadersPassUntouched() throws {
        let gateway = GatewayHarness()
        let exchange = try Exchange(gateway, body: Self.body(bytes: 400))
        _ = exchange.attempt("gpt-4o-mini/0")
        #expect(exchange.responseHeaders([("x-ratelimit-remaining-tokens", "999")]) == .held)
        let end = exchange.responseBody(Self.completion)
        #expect(end.setHeader("x-ratelimit-remaining-tokens") == nil)
        #expect(!end.removedHeaders.contains("x-ratelimit-remaining-tokens"))
        #expect(end.tollgateMetadata?["settled_tokens"] == .number(42))
    }

    @Test func aReloadedLimitAppliesToTheUsageAlreadyCounted() throws {
        let gateway = Self.gateway()
        let exchange = try Exchange(gateway, body: Self.body(bytes: 400, extra: #","max_tokens":100"#))
        _ = exchange.attempt("gpt-4o-mini/0")
        _ = exchange.responseHeaders()
        _ = exchange.responseBody(Self.completion)
        var config = gateway.snapshots.current().config
        config.limits = [RateLimitRule(scope: .key("team-a"), limits: [.tokensPerMinute: 100])]
        gateway.snapshots.replace(with: GatewaySnapshot(config: config, credentials: GatewayFixture.credentials))
        let reply = gateway.route(body: Self.body(bytes: 40, extra: #","max_tokens":60"#)).body
        #expect(reply.immediate?.status == 429, "42 used + 10 + 60 > 100")
    }
}

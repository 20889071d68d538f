import ExtProc
import Foundation
import Gateway
import Testing

/// A request's end is recorded after the reply that ends it is written: the reply itself already
/// says everything, and the reservation, the metrics and the observer follow in
/// `performDeferredWork` (which the transport runs after the write), exactly once, even when Envoy
/// resets the stream before the write.
@Suite struct PhasesBookkeepingTests {
    static func gateway() -> GatewayHarness {
        var config = GatewayFixture.config()
        config.limits = [RateLimitRule(scope: .key("team-a"), limits: [.tokensPerMinute: 1000])]
        config.settings.defaultMaxTokens = 300
        return GatewayHarness(
            snapshot: GatewaySnapshot(config: config, credentials: GatewayFixture.credentials),
            writesRepliesAtOnce: false
        )
    }

    static let tokensPerMinute = RateLimitCounterID(scope: .key("team-a"), kind: .tokensPerMinute)

    func used(_ gateway: GatewayHarness) -> Int {
        gateway.counters.used(Self.tokensPerMinute, now: gateway.clock.wallTime)
    }

    @Test func theEndIsRecordedAfterTheReplyThatSaysIt() throws {
        let gateway = Self.gateway()
        let exchange = try Exchange(gateway, body: PhasesRateLimitTests.body(bytes: 400))
        #expect(!exchange.router.hasDeferredWork, "nothing to record before the response")
        _ = exchange.attempt("gpt-4o-mini/0")
        _ = exchange.responseHeaders()
        let end = exchange.responseBody(PhasesRateLimitTests.completion)

        #expect(end.tollgateMetadata?["settled_tokens"] == .number(42), "the reply carries the outcome")
        #expect(exchange.router.hasDeferredWork)
        #expect(gateway.observer.completions.isEmpty)
        #expect(used(gateway) == 100 + 300, "still reserved until the reply is written")

        exchange.router.performDeferredWork()
        #expect(!exchange.router.hasDeferredWork)
        #expect(gateway.observer.completions.map(\.usage?.totalTokens) == [42])
        #expect(used(gateway) == 42)

        exchange.router.performDeferredWork()
        exchange.router.streamDidEnd(.reset)
        #expect(gateway.observer.completions.count == 1, "recorded once")
    }

    @Test func aResetBeforeTheWriteStillRecordsTheCompletedRequestOnce() throws {
        let gateway = Self.gateway()
        let exchange = try Exchange(gateway, body: PhasesRateLimitTests.body(bytes: 400))
        _ = exchange.attempt("gpt-4o-mini/0")
        _ = exchange.responseHeaders()
        _ = exchange.responseBody(PhasesRateLimitTests.completion)

        exchange.router.streamDidEnd(.reset)
        #expect(!exchange.router.hasDeferredWork)
        let completions = gateway.observer.completions
        #expect(completions.count == 1)
        #expect(completions.first?.interrupted == false, "the response had ended before the reset")
        #expect(used(gateway) == 42)
    }

    @Test func aStreamCutShortIsRecordedAtOnce() throws {
        let gateway = Self.gateway()
        let exchange = try Exchange(gateway, body: PhasesRateLimitTests.body(bytes: 400))
        _ = exchange.attempt("gpt-4o-mini/0")

        exchange.router.streamDidEnd(.reset)
        #expect(!exchange.router.hasDeferredWork, "no reply follows a reset to wait for")
        #expect(gateway.observer.completions.map(\.interrupted) == [true])
        #expect(used(gateway) == 0, "nothing was consumed")
    }
}

import Gateway
import Synchronization
import Testing

@Suite struct LedgerCompletionTests {
    /// Keeps what it is given, for tests.
    final class RecordingLedger: UsageLedger {
        let records = Mutex<[UsageRecord]>([])

        func record(_ record: UsageRecord) {
            records.withLock { $0.append(record) }
        }
    }

    static let prices = PriceTable([
        .init(
            model: ModelPattern("gpt-4o-mini*"),
            price: ModelPrice(inputPerMillion: 150_000, outputPerMillion: 600_000, cachedInputPerMillion: 75_000)
        )
    ])

    @Test func aServedRequestBecomesAPricedRow() {
        let ledger = RecordingLedger()
        let observer = UsageLedgerObserver(
            ledger: ledger,
            prices: { Self.prices },
            wallClock: { UnixTime(milliseconds: 10_000) }
        )
        observer.requestDidComplete(
            RequestCompletion(
                requestID: RequestID(0xabc),
                envoyRequestID: "5f1c-envoy",
                endpoint: .chatCompletions,
                keyName: "team-a",
                tenant: "acme",
                model: "gpt-4o-mini",
                clientModel: "fast",
                stream: true,
                status: 200,
                backendID: "gpt-4o-mini/1",
                provider: "azure",
                upstreamModel: "gpt-4o-mini-2024-07-18",
                attempts: 2,
                usage: TokenUsage(inputTokens: 1000, outputTokens: 100, cachedInputTokens: 400),
                streamOutcome: .completed,
                timeToFirstToken: .milliseconds(120),
                duration: .milliseconds(1500)
            )
        )
        let expected = UsageRecord(
            time: UnixTime(milliseconds: 8500),
            requestID: "5f1c-envoy",
            keyName: "team-a",
            tenant: "acme",
            endpoint: "/v1/chat/completions",
            requestedModel: "gpt-4o-mini",
            servedModel: "gpt-4o-mini-2024-07-18",
            provider: "azure",
            backend: "gpt-4o-mini/1",
            attempts: 2,
            status: 200,
            isStream: true,
            inputTokens: 1000,
            outputTokens: 100,
            cachedInputTokens: 400,
            // 600 × 0.15 + 400 × 0.075 + 100 × 0.60 = 90 + 30 + 60 µ$
            costMicros: 180,
            timeToFirstToken: .milliseconds(120),
            duration: .milliseconds(1500)
        )
        #expect(ledger.records.withLock { $0 } == [expected])
    }

    @Test func refusedAndCutRequests() {
        let refused = UsageRecord(
            RequestCompletion(status: 401, rejection: "missing_key", duration: .microseconds(80)),
            time: .epoch,
            prices: Self.prices
        )
        #expect(refused.requestID == "")
        #expect(refused.status == 401 && refused.rejectionReason == "missing_key")
        #expect(refused.costMicros == 0 && !refused.isEstimated && refused.attempts == 0)

        let fallback = UsageRecord(
            RequestCompletion(requestID: RequestID(1), status: 404),
            time: .epoch,
            prices: .empty
        )
        #expect(fallback.requestID == "0000000000000001")

        // Cut after reaching the provider, before any usage: zero counts, marked estimated.
        let cut = UsageRecord(
            RequestCompletion(model: "gpt-4o-mini", attempts: 1, interrupted: true),
            time: .epoch,
            prices: Self.prices
        )
        #expect(cut.status == 0 && cut.isEstimated && cut.inputTokens == 0)

        // Cut mid-stream: the usage seen so far, incomplete.
        let partial = UsageRecord(
            RequestCompletion(
                model: "unpriced-model",
                status: 200,
                attempts: 1,
                usage: TokenUsage(inputTokens: 50, outputTokens: 7, isComplete: false),
                interrupted: true
            ),
            time: .epoch,
            prices: Self.prices
        )
        #expect(partial.isEstimated && partial.outputTokens == 7)
        #expect(partial.costMicros == nil)
    }
}

import Gateway
import Testing

@Suite struct LedgerPriceTableTests {
    @Test(
        arguments: [
            ("2.5", 2_500_000), ("0.075", 75_000), ("12", 12_000_000), ("0", 0), ("0.000001", 1), ("15.00", 15_000_000),
        ] as [(String, Int64)]
    )
    func parsesDecimalDollarsExactly(text: String, micros: Int64) {
        #expect(MicroDollars.parse(text) == micros)
    }

    @Test(arguments: ["", "-1", ".5", "1.", "1e-3", "0.0000001", "1,5", "one", "99999999999999", " 1"])
    func refusesAnythingElse(text: String) {
        #expect(MicroDollars.parse(text) == nil)
    }

    @Test func formatsDollarsWithSixDecimals() {
        #expect(MicroDollars.format(0) == "0.000000")
        #expect(MicroDollars.format(1) == "0.000001")
        #expect(MicroDollars.format(12_345_678) == "12.345678")
        #expect(MicroDollars.format(-1_500_000) == "-1.500000")
    }

    @Test func costsEachKindOfTokenAtItsPrice() {
        // $3 input, $15 output, $0.30 cache read, $3.75 cache write per million (Claude 3.5 Sonnet).
        let price = ModelPrice(
            inputPerMillion: 3_000_000,
            outputPerMillion: 15_000_000,
            cachedInputPerMillion: 300_000,
            cacheCreationPerMillion: 3_750_000
        )
        let usage = TokenUsage(
            inputTokens: 10_000,
            outputTokens: 2_000,
            cachedInputTokens: 6_000,
            cacheCreationInputTokens: 1_000,
            reasoningTokens: 500
        )
        // 3000 × $3 + 6000 × $0.30 + 1000 × $3.75 + 2000 × $15, per million: 9000 + 1800 + 3750 + 30000 µ$.
        #expect(price.cost(of: usage) == 44_550)
        // Reasoning tokens are output tokens: not charged twice.
        #expect(price.cost(of: TokenUsage(outputTokens: 1, reasoningTokens: 1)) == 15)
        // Unset cache prices are the input price.
        let plain = ModelPrice(inputPerMillion: 2_500_000, outputPerMillion: 10_000_000)
        #expect(plain.cost(of: TokenUsage(inputTokens: 1000, cachedInputTokens: 1000)) == 2500)
    }

    @Test func roundsOnceHalfUp() {
        let price = ModelPrice(inputPerMillion: 75_000, outputPerMillion: 300_000)
        // 6 × 0.075 = 0.45 µ$ → 0; 7 × 0.075 = 0.525 µ$ → 1; the sum is rounded, not each part.
        #expect(price.cost(of: TokenUsage(inputTokens: 6)) == 0)
        #expect(price.cost(of: TokenUsage(inputTokens: 7)) == 1)
        #expect(price.cost(of: TokenUsage(inputTokens: 4, outputTokens: 1)) == 1)
        #expect(price.cost(of: TokenUsage(inputTokens: Int.max / 2)) == Int64.max)
    }

    @Test func looksUpExactNamesFirstThenGlobsInOrder() {
        let table = PriceTable([
            .init(model: ModelPattern("gpt-4o*"), price: ModelPrice(inputPerMillion: 2, outputPerMillion: 2)),
            .init(model: ModelPattern("gpt-4o-mini*"), price: ModelPrice(inputPerMillion: 3, outputPerMillion: 3)),
            .init(model: ModelPattern("gpt-4o-mini"), price: ModelPrice(inputPerMillion: 1, outputPerMillion: 1)),
        ])
        #expect(table.price(for: "gpt-4o-mini")?.inputPerMillion == 1)
        #expect(table.price(for: "gpt-4o-mini-2024-07-18")?.inputPerMillion == 2)
        #expect(table.price(for: "gpt-4o")?.inputPerMillion == 2)
        #expect(table.price(for: "claude") == nil)
    }

    @Test func pricesARecordByItsServedModelThenItsRequestedModel() {
        let table = PriceTable([
            .init(model: ModelPattern("fast"), price: ModelPrice(inputPerMillion: 1_000_000, outputPerMillion: 0)),
            .init(
                model: ModelPattern("gpt-4o-mini-*"),
                price: ModelPrice(inputPerMillion: 2_000_000, outputPerMillion: 0)
            ),
        ])
        var record = UsageRecord(
            time: .epoch,
            requestID: "r",
            requestedModel: "fast",
            servedModel: "gpt-4o-mini-2024-07-18",
            status: 200,
            inputTokens: 1000
        )
        #expect(table.cost(of: record) == 2000)
        record.servedModel = "unknown"
        #expect(table.cost(of: record) == 1000)
        #expect(record.priced(by: table).costMicros == 1000)
        record.requestedModel = "also-unknown"
        #expect(table.cost(of: record) == nil)
        // A refused request has no tokens, and so costs nothing whatever its model.
        #expect(table.cost(of: UsageRecord(time: .epoch, requestID: "r", requestedModel: "x", status: 401)) == 0)
    }

    @Test func aRecordTakesItsCountsFromTokenUsage() {
        var record = UsageRecord(time: .epoch, requestID: "r", status: 200)
        let usage = TokenUsage(
            inputTokens: 10,
            outputTokens: 20,
            cachedInputTokens: 3,
            cacheCreationInputTokens: 2,
            reasoningTokens: 5,
            isComplete: false
        )
        record.usage = usage
        #expect(record.inputTokens == 10 && record.outputTokens == 20 && record.cachedInputTokens == 3)
        #expect(record.cacheCreationInputTokens == 2 && record.reasoningTokens == 5)
        #expect(record.isEstimated)
        #expect(record.usage == usage)
    }
}

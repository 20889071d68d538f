import Gateway
import Testing

@Suite struct LedgerReportFormattingTests {
    private static func totals(_ requests: Int, cost: Int64, median: Duration?) -> UsageTotals {
        var totals = UsageTotals()
        totals.requests = requests
        totals.errors = requests / 10
        totals.inputTokens = requests * 1000
        totals.outputTokens = requests * 100
        totals.costMicros = cost
        totals.medianDuration = median
        return totals
    }

    private static let report = UsageReport(
        query: UsageReportQuery(
            since: UnixTime(iso8601: "2025-03-01")!,
            until: nil,
            groupBy: [.key, .model]
        ),
        rows: [
            .init(groups: [nil, "gpt-4o"], totals: totals(3, cost: 0, median: .microseconds(150))),
            .init(groups: ["team \"a\", prod", "gpt-4o"], totals: totals(20, cost: 1_234_567, median: .seconds(1))),
        ],
        total: totals(23, cost: 1_234_567, median: .milliseconds(900))
    )

    @Test func table() {
        let lines = Self.report.formatted(as: .table).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0].hasPrefix("key             model   requests  errors"))
        #expect(lines[1].hasPrefix("-               gpt-4o         3       0"))
        #expect(lines[2].hasPrefix("team \"a\", prod  gpt-4o        20       2"))
        #expect(lines[3].allSatisfy { $0 == "-" })
        #expect(lines[4].hasPrefix("TOTAL                         23       2"))
        #expect(lines[4].hasSuffix("1.234567         0          0            900.0"))
        #expect(lines[1].hasSuffix("0.000000         0          0              0.1"))
        #expect(lines.last == "")
        // Every line is as wide as the header.
        #expect(Set(lines.dropLast().map(\.count)).count == 1)
    }

    @Test func tableWithoutGroupsIsOneLine() {
        let report = UsageReport(query: UsageReportQuery(), rows: [], total: Self.totals(5, cost: 10, median: nil))
        let lines = report.formatted(as: .table).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("requests  errors"))
        #expect(lines[1].hasPrefix("       5       0"))
        #expect(lines[1].hasSuffix("-"))
    }

    @Test func csv() {
        let text = Self.report.formatted(as: .csv)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        #expect(
            lines[0]
                == "key,model,requests,errors,rejected,input_tokens,cached_input_tokens,cache_creation_tokens,"
                + "output_tokens,reasoning_tokens,cost_usd,unpriced,estimated,p50_duration_ms"
        )
        #expect(lines[1] == ",gpt-4o,3,0,0,3000,0,0,300,0,0.000000,0,0,0.1")
        #expect(lines[2] == "\"team \"\"a\"\", prod\",gpt-4o,20,2,0,20000,0,0,2000,0,1.234567,0,0,1000.0")
        #expect(lines.count == 4 && lines[3] == "")
    }

    @Test func json() {
        let text = Self.report.formatted(as: .json)
        #expect(text.hasPrefix(#"{"since":"2025-03-01T00:00:00Z","until":null,"group_by":["key","model"],"rows":["#))
        #expect(text.contains(#"{"key":null,"model":"gpt-4o","requests":3,"errors":0,"#))
        #expect(text.contains(#""key":"team \"a\", prod""#))
        #expect(
            text.contains(
                #""cost_usd":1.234567,"unpriced":0,"estimated":0,"p50_duration_ms":1000.0,"cost_micros":1234567}"#
            )
        )
        #expect(text.contains(#""total":{"key":null,"model":null,"requests":23,"#))
        #expect(text.hasSuffix("}\n"))
    }

    @Test func groupLists() {
        #expect(UsageGroup.parseList("key,tenant,model,provider,day") == [.key, .tenant, .model, .provider, .day])
        #expect(UsageGroup.parseList(" served-model , endpoint") == [.servedModel, .endpoint])
        #expect(UsageGroup.parseList("") == [])
        #expect(UsageGroup.parseList("key,key") == nil)
        #expect(UsageGroup.parseList("user") == nil)
    }
}

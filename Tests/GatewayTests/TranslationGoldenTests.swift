import Foundation
import Gateway
import Testing

/// The golden tables: each fixture folder and the translations it is run through.
@Suite struct TranslationGoldenTests {
    static let options = RequestTranslationOptions(defaultMaxTokens: 4096)

    /// Every table has fixtures (a moved folder would otherwise run nothing), and every golden
    /// belongs to a fixture that still exists.
    @Test func fixturesAndGoldensMatch() throws {
        let tables: [(folder: String, ext: String, suffixes: [String])] = [
            ("requests/openai", "json", ["openai-anthropic"]),
            ("requests/anthropic", "json", ["anthropic-openai"]),
            ("responses/anthropic", "json", ["anthropic-openai"]),
            ("responses/openai", "json", ["openai-anthropic"]),
            ("errors/anthropic", "json", ["anthropic-openai"]),
            ("errors/openai", "json", ["openai-anthropic"]),
            ("streams/anthropic", "sse", ["anthropic-openai-streaming", "anthropic-anthropic-streaming"]),
            ("streams/openai", "sse", ["openai-anthropic-streaming", "openai-openai-streaming"]),
            // Passthrough only, read for usage (UsageGoldenTests).
            ("responses/openai-responses", "json", ["usage"]),
            ("responses/openai-completions", "json", ["usage"]),
            ("responses/openai-embeddings", "json", ["usage"]),
            ("streams/openai-responses", "sse", ["responses-responses-streaming"]),
            ("streams/openai-completions", "sse", ["completions-completions-streaming"]),
        ]
        for table in tables {
            let cases = Golden.cases(table.folder, extension: table.ext)
            #expect(!cases.isEmpty, "no fixtures in \(table.folder)")
            let expected = Set(
                cases.flatMap { fixture in table.suffixes.map { Golden.goldenPath(for: fixture, suffix: $0) } }
            )
            let present = Set(Golden.cases(table.folder, extension: "golden"))
            #expect(
                present.subtracting(expected).isEmpty,
                "goldens without a fixture: \(present.subtracting(expected).sorted())"
            )
        }
    }

    // MARK: - Requests

    @Test(arguments: Golden.cases("requests/openai", extension: "json"))
    func openAIRequestToAnthropic(fixture: String) throws {
        let translated = try AnthropicFromOpenAI.translateRequest(try Golden.read(fixture), options: Self.options)
        try Golden.check(describe(translated), fixture: fixture, suffix: "openai-anthropic")
    }

    @Test(arguments: Golden.cases("requests/anthropic", extension: "json"))
    func anthropicRequestToOpenAI(fixture: String) throws {
        let translated = try OpenAIFromAnthropic.translateRequest(try Golden.read(fixture), options: Self.options)
        try Golden.check(describe(translated), fixture: fixture, suffix: "anthropic-openai")
    }

    private func describe(_ request: TranslatedRequest) -> String {
        """
        stream: \(request.stream)
        client wants stream usage: \(request.clientWantsStreamUsage)
        --- body
        \(Golden.pretty(request.body))

        """
    }

    // MARK: - Responses

    @Test(arguments: Golden.cases("responses/anthropic", extension: "json"))
    func anthropicResponseToOpenAI(fixture: String) throws {
        let body = try Golden.read(fixture)
        let translated = try AnthropicFromOpenAI.translateResponse(body, context: goldenContext)
        #expect(TokenUsage.fromAnthropicResponse(body) == translated.usage)
        try Golden.check(describe(translated), fixture: fixture, suffix: "anthropic-openai")
    }

    @Test(arguments: Golden.cases("responses/openai", extension: "json"))
    func openAIResponseToAnthropic(fixture: String) throws {
        let body = try Golden.read(fixture)
        let translated = try OpenAIFromAnthropic.translateResponse(body, context: goldenContext)
        #expect(TokenUsage.fromOpenAIResponse(body) == translated.usage)
        try Golden.check(describe(translated), fixture: fixture, suffix: "openai-anthropic")
    }

    private func describe(_ response: TranslatedResponse) -> String {
        """
        --- body
        \(Golden.pretty(response.body))
        --- usage
        \(Golden.describe(response.usage))

        """
    }

    // MARK: - Errors

    /// Error fixtures are `{"status": N, "body": …}`; a string body is sent as raw text.
    private func errorFixture(_ fixture: String) throws -> (status: Int, body: [UInt8]) {
        let json = try JSONValue(parsing: try Golden.read(fixture))
        let status = try #require(json["status"]?.intValue)
        let body = try #require(json["body"])
        if case .string(let text) = body { return (status, Array(text.utf8)) }
        return (status, body.serialized)
    }

    @Test(arguments: Golden.cases("errors/anthropic", extension: "json"))
    func anthropicErrorToOpenAI(fixture: String) throws {
        let (status, body) = try errorFixture(fixture)
        let translated = AnthropicFromOpenAI.translateError(status: status, body: body)
        try Golden.check(describe(translated), fixture: fixture, suffix: "anthropic-openai")
    }

    @Test(arguments: Golden.cases("errors/openai", extension: "json"))
    func openAIErrorToAnthropic(fixture: String) throws {
        let (status, body) = try errorFixture(fixture)
        let translated = OpenAIFromAnthropic.translateError(status: status, body: body)
        try Golden.check(describe(translated), fixture: fixture, suffix: "openai-anthropic")
    }

    private func describe(_ error: TranslatedError) -> String {
        """
        status: \(error.status)
        --- body
        \(Golden.pretty(error.body))

        """
    }

    // MARK: - Streams

    @Test(arguments: Golden.cases("streams/anthropic", extension: "sse"))
    func anthropicStreamToOpenAI(fixture: String) throws {
        try Golden.checkStream(fixture, suffix: "anthropic-openai-streaming") {
            AnthropicFromOpenAI.makeStreamTranslator(context: goldenContext)
        }
    }

    @Test(arguments: Golden.cases("streams/anthropic", extension: "sse"))
    func anthropicStreamPassthrough(fixture: String) throws {
        try Golden.checkStream(fixture, suffix: "anthropic-anthropic-streaming") { AnthropicPassthroughStream() }
    }

    @Test(arguments: Golden.cases("streams/openai", extension: "sse"))
    func openAIStreamToAnthropic(fixture: String) throws {
        try Golden.checkStream(fixture, suffix: "openai-anthropic-streaming") {
            OpenAIFromAnthropic.makeStreamTranslator(context: goldenContext)
        }
    }

    /// The passthrough for a client that did not ask for usage: the gateway asked for it, so the
    /// usage chunk and the `"usage":null` members must not reach the client.
    @Test(arguments: Golden.cases("streams/openai", extension: "sse"))
    func openAIStreamPassthroughHidingUsage(fixture: String) throws {
        try Golden.checkStream(fixture, suffix: "openai-openai-streaming") {
            OpenAIPassthroughStream(clientWantsUsage: false)
        }
    }
}

extension StreamOutcome: CustomTestStringConvertible {
    public var testDescription: String { Golden.describe(self) }
}

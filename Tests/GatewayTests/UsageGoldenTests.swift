import Foundation
import Gateway
import Testing

/// Golden tables for the endpoints that only pass through to OpenAI-compatible backends and are
/// read for their usage: the Responses API, legacy completions and embeddings. Buffered bodies
/// give `<case>.usage.golden` (the body itself is never changed); streams give
/// `<case>.<api>-<api>-streaming.golden` like the translators' (TranslationGoldenSupport),
/// fed whole, in random chunks and byte by byte.
@Suite struct UsageGoldenTests {
    @Test(arguments: Golden.cases("responses/openai-responses", extension: "json"))
    func responsesAPIBufferedUsage(fixture: String) throws {
        let body = try Golden.read(fixture)
        #expect(TokenUsage.fromResponse(body, endpoint: .responses) == TokenUsage.fromResponsesAPIResponse(body))
        try Golden.check(describe(TokenUsage.fromResponsesAPIResponse(body)), fixture: fixture, suffix: "usage")
    }

    @Test(arguments: Golden.cases("responses/openai-completions", extension: "json"))
    func completionsBufferedUsage(fixture: String) throws {
        let usage = TokenUsage.fromResponse(try Golden.read(fixture), endpoint: .completions)
        try Golden.check(describe(usage), fixture: fixture, suffix: "usage")
    }

    @Test(arguments: Golden.cases("responses/openai-embeddings", extension: "json"))
    func embeddingsBufferedUsage(fixture: String) throws {
        let usage = TokenUsage.fromResponse(try Golden.read(fixture), endpoint: .embeddings)
        try Golden.check(describe(usage), fixture: fixture, suffix: "usage")
    }

    private func describe(_ usage: TokenUsage?) -> String {
        """
        --- usage
        \(Golden.describe(usage))

        """
    }

    @Test(arguments: Golden.cases("streams/openai-responses", extension: "sse"))
    func responsesAPIStream(fixture: String) throws {
        try Golden.checkStream(fixture, suffix: "responses-responses-streaming") { ResponsesPassthroughStream() }
    }

    /// The gateway asked for the usage chunk the client did not: it and every `"usage":null`
    /// must be kept from the client.
    @Test(arguments: Golden.cases("streams/openai-completions", extension: "sse"))
    func completionsStreamHidingUsage(fixture: String) throws {
        try Golden.checkStream(fixture, suffix: "completions-completions-streaming") {
            OpenAIPassthroughStream(clientWantsUsage: false)
        }
    }

    /// A Responses API stream that ends as its API says reaches the client byte for byte.
    @Test(arguments: [
        "streams/openai-responses/text_reasoning_cached.sse", "streams/openai-responses/function_call_crlf.sse",
        "streams/openai-responses/failed.sse", "streams/openai-responses/error_event.sse",
    ])
    func finishedResponsesStreamIsUntouched(fixture: String) throws {
        let input = try Golden.read(fixture)
        for chunking in Chunking.all {
            let run = StreamRun({ ResponsesPassthroughStream() }, input: input, chunking: chunking)
            #expect(run.output == input, "\(fixture) fed \(chunking)")
        }
    }

    /// A completions client that asked for usage gets the provider's stream as it was sent.
    @Test func completionsStreamForAClientThatAskedIsUntouched() throws {
        let input = try Golden.read("streams/openai-completions/text_usage.sse")
        for chunking in Chunking.all {
            let run = StreamRun({ OpenAIPassthroughStream(clientWantsUsage: true) }, input: input, chunking: chunking)
            #expect(run.output == input, "fed \(chunking)")
            #expect(run.usage == TokenUsage(inputTokens: 5, outputTokens: 4))
            #expect(run.emittedContent)
        }
    }

    /// Time to first token: the first non-empty delta, not the events before it.
    @Test func firstContentIsTheFirstNonEmptyDelta() throws {
        let input = try Golden.read("streams/openai-responses/text_reasoning_cached.sse")
        let text = String(decoding: input, as: UTF8.self)
        let hello = try #require(text.range(of: #""delta":"Hello""#))
        let beforeHello = Array(text[..<hello.lowerBound].utf8)
        var stream = ResponsesPassthroughStream()
        _ = stream.feed(beforeHello)
        #expect(!stream.hasEmittedContent, "response.created, the reasoning item and an empty delta are not content")
        _ = stream.feed(Array(input[beforeHello.count...]))
        #expect(stream.hasEmittedContent)
    }

    /// The gateway's error event continues the provider's numbering.
    @Test func truncatedResponsesStreamEndsWithANumberedErrorEvent() throws {
        var stream = ResponsesPassthroughStream()
        var output = stream.feed(try Golden.read("streams/openai-responses/truncated.sse"))
        output += stream.finish()
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.hasSuffix(#""param":null,"sequence_number":8}"# + "\n\n"))
        #expect(text.contains("event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\""))
        #expect(stream.outcome == .failed(.truncated))
        #expect(stream.usage == .none)
    }
}

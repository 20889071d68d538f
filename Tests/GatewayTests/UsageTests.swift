import Gateway
import Testing

@Suite struct UsageTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    // MARK: - Buffered

    @Test func openAIUsageFromABufferedBody() {
        let body = Array(
            #"{"id":"x","choices":[{"message":{"content":"{\"usage\":1}"}}],"usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,"prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":{"reasoning_tokens":8}}}"#
                .utf8
        )
        #expect(
            TokenUsage.fromOpenAIResponse(body)
                == TokenUsage(
                    inputTokens: 100,
                    outputTokens: 20,
                    cachedInputTokens: 64,
                    cacheCreationInputTokens: 0,
                    reasoningTokens: 8
                )
        )
    }

    @Test func embeddingsUsage() {
        let body = Array(#"{"object":"list","data":[],"model":"m","usage":{"prompt_tokens":8,"total_tokens":8}}"#.utf8)
        #expect(TokenUsage.fromOpenAIResponse(body) == TokenUsage(inputTokens: 8))
    }

    @Test func anthropicUsageAddsTheCacheParts() {
        let body = Array(
            #"{"content":[],"usage":{"input_tokens":5,"cache_creation_input_tokens":100,"cache_read_input_tokens":200,"output_tokens":7}}"#
                .utf8
        )
        let usage = TokenUsage.fromAnthropicResponse(body)
        #expect(
            usage
                == TokenUsage(inputTokens: 305, outputTokens: 7, cachedInputTokens: 200, cacheCreationInputTokens: 100)
        )
        #expect(usage?.uncachedInputTokens == 5)
    }

    @Test func noUsage() {
        #expect(TokenUsage.fromOpenAIResponse(Array(#"{"choices":[]}"#.utf8)) == nil)
        #expect(TokenUsage.fromOpenAIResponse(Array("not json".utf8)) == nil)
        #expect(TokenUsage.fromAnthropicResponse(Array(#"{"usage":null}"#.utf8)) == nil)
    }

    // MARK: - include_usage

    private func requestingUsage(in body: [UInt8]) throws -> (body: [UInt8], clientAskedForUsage: Bool) {
        var splices = JSONSplices()
        let asked = OpenAIStreamUsageRequest.requestUsage(
            in: body,
            fields: try RequestBodyFields(scanning: body),
            into: &splices
        )
        return (splices.applied(to: body), asked)
    }

    @Test func insertsStreamOptions() throws {
        let result = try requestingUsage(
            in: Array(#" {"model":"m","stream":true}"#.utf8)
        )
        #expect(text(result.body) == #" {"stream_options":{"include_usage":true},"model":"m","stream":true}"#)
        #expect(!result.clientAskedForUsage)
        let empty = try requestingUsage(in: Array("{}".utf8))
        #expect(text(empty.body) == #"{"stream_options":{"include_usage":true}}"#)
    }

    @Test func extendsStreamOptions() throws {
        let result = try requestingUsage(
            in: Array(#"{"stream":true,"stream_options": {"include_obfuscation":false} ,"x":1}"#.utf8)
        )
        #expect(
            text(result.body)
                == #"{"stream":true,"stream_options": {"include_obfuscation":false,"include_usage":true} ,"x":1}"#
        )
        let off = try requestingUsage(
            in: Array(#"{"stream_options":{"include_usage":false}}"#.utf8)
        )
        #expect(text(off.body) == #"{"stream_options":{"include_usage":true}}"#)
        #expect(!off.clientAskedForUsage)
        let null = try requestingUsage(in: Array(#"{"stream_options":null}"#.utf8))
        #expect(text(null.body) == #"{"stream_options":{"include_usage":true}}"#)
    }

    @Test func leavesABodyThatAlreadyAsks() throws {
        let body = Array(#"{"stream_options" : { "include_usage" : true }}"#.utf8)
        let result = try requestingUsage(in: body)
        #expect(result.body == body)
        #expect(result.clientAskedForUsage)
    }

    @Test func refusesMalformedBodies() {
        #expect(throws: JSONScanError.self) { try requestingUsage(in: Array("{".utf8)) }
    }

    // MARK: - Passthrough streams

    private let openAIStream = Array(
        """
        data: {"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":""}}],"usage":null}

        data: {"usage":null,"id":"c","choices":[{"index":0,"delta":{"content":"Hi"}}]}

        data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage": null}

        data: {"id":"c","choices":[ ],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}

        data: [DONE]


        """.utf8
    )

    @Test func passthroughForAClientWhoAskedKeepsEveryByte() {
        var stream = OpenAIPassthroughStream(clientWantsUsage: true)
        var output: [UInt8] = []
        for byte in openAIStream { output += stream.feed([byte]) }
        output += stream.finish()
        #expect(output == openAIStream)
        #expect(stream.usage == TokenUsage(inputTokens: 3, outputTokens: 1))
        #expect(stream.outcome == .completed)
        #expect(stream.hasEmittedContent)
    }

    @Test func passthroughHidesWhatTheClientDidNotAskFor() {
        var stream = OpenAIPassthroughStream(clientWantsUsage: false)
        var output = stream.feed(openAIStream)
        output += stream.finish()
        #expect(
            text(output) == """
                data: {"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

                data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hi"}}]}

                data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

                data: [DONE]


                """
        )
        #expect(stream.usage == TokenUsage(inputTokens: 3, outputTokens: 1))
    }

    @Test func usageIsIncompleteUntilTheEnd() {
        var stream = OpenAIPassthroughStream(clientWantsUsage: true)
        _ = stream.feed(Array(openAIStream[..<(openAIStream.count - 14)]))
        #expect(!stream.usage.isComplete)
        #expect(stream.usage.inputTokens == 3)
    }

    /// Only the root object's `usage` is cut: a nested one, a string that spells the key, and
    /// a `finish_reason` that is `null` leave the chunk as it came and the stream unfinished.
    @Test func passthroughCutsOnlyTheRootUsage() {
        let chunks = """
            data: {"id":"c","choices":[{"index":0,"delta":{"content":"\\"usage\\":null}"}}],"meta":{"usage":null}}

            data: {"id":"c","choices":[{"index":0,"delta":{"content":"usage"},"finish_reason" : null}],"usage":null}


            """
        var stream = OpenAIPassthroughStream(clientWantsUsage: false)
        let output = text(stream.feed(Array(chunks.utf8)) + stream.finish())
        #expect(
            output.hasPrefix(
                """
                data: {"id":"c","choices":[{"index":0,"delta":{"content":"\\"usage\\":null}"}}],"meta":{"usage":null}}

                data: {"id":"c","choices":[{"index":0,"delta":{"content":"usage"},"finish_reason" : null}]}


                """
            )
        )
        #expect(stream.outcome == .failed(.truncated))
        #expect(stream.hasEmittedContent)
    }

    // MARK: - Translated streams

    @Test func anthropicToOpenAIWithoutIncludeUsage() {
        let input = Array(
            """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":4,"output_tokens":1}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}

            event: message_stop
            data: {"type":"message_stop"}


            """.utf8
        )
        var stream = AnthropicFromOpenAI.makeStreamTranslator(
            context: ResponseTranslationContext(created: 5, model: "public-name", includeUsage: false, idSeed: "r")
        )
        let output = text(stream.feed(input) + stream.finish())
        #expect(!output.contains("usage"))
        #expect(output.contains(#""model":"public-name""#))
        #expect(output.hasSuffix("data: [DONE]\n\n"))
        #expect(stream.usage == TokenUsage(inputTokens: 4, outputTokens: 2))
    }

    @Test func streamThatNeverStartsIsTruncated() {
        var openAI = AnthropicFromOpenAI.makeStreamTranslator(context: goldenContext)
        let output = text(openAI.finish())
        #expect(output.hasPrefix(#"data: {"error":"#))
        #expect(openAI.outcome == .failed(.truncated))
        var anthropic = OpenAIFromAnthropic.makeStreamTranslator(context: goldenContext)
        #expect(text(anthropic.finish()).hasPrefix("event: error\n"))
        #expect(anthropic.usage == .none)
    }

    @Test func oversizedUpstreamEventEndsTheStream() {
        var stream = OpenAIFromAnthropic.makeStreamTranslator(context: goldenContext)
        let huge =
            Array("data: ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: SSEParser.defaultMaxEventBytes + 1)
        let output = text(stream.feed(huge))
        #expect(output.hasPrefix("event: error\n"))
        #expect(stream.outcome == .failed(.eventTooLarge))
        #expect(stream.feed(Array("data: [DONE]\n\n".utf8)).isEmpty)
    }

    @Test func factoryPicksByDialects() {
        #expect(
            DialectTranslation.makeStreamTranslator(from: .openAI, to: .openAI, context: goldenContext)
                is OpenAIPassthroughStream
        )
        #expect(
            DialectTranslation.makeStreamTranslator(from: .anthropic, to: .openAI, context: goldenContext)
                is AnthropicFromOpenAI.StreamTranslator
        )
        #expect(ProviderSchema.azureOpenAI.dialect == .openAI)
    }
}

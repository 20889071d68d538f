import Gateway
import Testing

/// `OpenAIChatChunk.write` puts bytes on the wire without a JSON tree: it must write what the
/// decoder reads back, known members in OpenAI's order and unknown ones after them.
@Suite struct TranslationOpenAIChunkTests {
    private func written(_ chunk: OpenAIChatChunk) -> String {
        var bytes: [UInt8] = []
        chunk.write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func everyMemberInOrderWithUnknownOnesAfterTheKnown() throws {
        let text =
            #"{"system_fingerprint":"fp_1","id":"c-1","model":"m","created":7,"object":"chat.completion.chunk","#
            + #""choices":[{"finish_reason":"tool_calls","logprobs":{"content":[]},"index":1,"#
            + #""delta":{"audio":{"id":"a"},"tool_calls":[{"index":0,"id":"call_1","type":"function","#
            + #""function":{"name":"get","arguments":"{\"q\":1}"}},{"index":1,"function":{"arguments":"x"}}],"#
            + #""refusal":"no","content":"hi","role":"assistant"}}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#
        let chunk = try OpenAIChatChunk(json: JSONValue(parsing: text))
        #expect(
            written(chunk)
                == #"{"id":"c-1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":1,"#
                + #""delta":{"role":"assistant","content":"hi","refusal":"no","tool_calls":[{"index":0,"id":"call_1","#
                + #""type":"function","function":{"name":"get","arguments":"{\"q\":1}"}},{"index":1,"#
                + #""function":{"arguments":"x"}}],"audio":{"id":"a"}},"logprobs":{"content":[]},"#
                + #""finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3},"#
                + #""system_fingerprint":"fp_1"}"#
        )
        #expect(try OpenAIChatChunk(json: JSONValue(parsing: written(chunk))) == chunk)
    }

    @Test func emptyDeltaNullFinishAndExplicitNullUsage() {
        let chunk = OpenAIChatChunk(
            id: "c",
            created: 0,
            model: "m",
            choices: [OpenAIChatChunk.Choice(delta: OpenAIChatChunk.Delta())],
            usageIsExplicitNull: true
        )
        #expect(
            written(chunk)
                == #"{"id":"c","object":"chat.completion.chunk","created":0,"model":"m","choices":[{"index":0,"#
                + #""delta":{},"logprobs":null,"finish_reason":null}],"usage":null}"#
        )
    }

    @Test func unknownDeltaMembersAloneNeedNoLeadingComma() throws {
        let delta = OpenAIChatChunk.Delta(extra: JSONObject(["audio": .null]))
        let chunk = OpenAIChatChunk(id: "c", created: 1, model: "m", choices: [OpenAIChatChunk.Choice(delta: delta)])
        #expect(written(chunk).contains(#""delta":{"audio":null}"#))
        #expect(try written(OpenAIChatChunk(json: JSONValue(parsing: written(chunk)))) == written(chunk))
    }

    @Test func textIsEscaped() throws {
        let content = "say \"hi\"\\\n\t\u{1}é😀 and a long tail so the bulk path is taken too"
        let chunk = OpenAIChatChunk(
            id: "id\"",
            created: 1,
            model: "m\n",
            choices: [OpenAIChatChunk.Choice(delta: OpenAIChatChunk.Delta(content: content))]
        )
        let text = written(chunk)
        #expect(text.contains(#""content":"say \"hi\"\\\n\t\u0001é😀 and a long tail"#))
        let decoded = try OpenAIChatChunk(json: JSONValue(parsing: text))
        #expect(decoded.id == chunk.id && decoded.model == chunk.model)
        #expect(decoded.choices.first?.delta.content == content)
    }
}

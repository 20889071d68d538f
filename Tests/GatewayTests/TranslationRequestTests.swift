import Gateway
import Testing

/// What the request translators refuse, and the passthrough path of `DialectTranslation`; the
/// successful translations are in the golden files.
@Suite struct TranslationRequestTests {
    private let options = RequestTranslationOptions(upstreamModel: "upstream-model", defaultMaxTokens: 100)

    private func anthropic(_ json: String) throws(TranslationError) -> JSONValue {
        let translated = try AnthropicFromOpenAI.translateRequest(Array(json.utf8), options: options)
        return (try? JSONValue(parsing: translated.body)) ?? .null
    }

    private func openAI(_ json: String) throws(TranslationError) -> JSONValue {
        let translated = try OpenAIFromAnthropic.translateRequest(Array(json.utf8), options: options)
        return (try? JSONValue(parsing: translated.body)) ?? .null
    }

    private func message(of error: TranslationError) -> String { error.message }

    @Test func setsTheUpstreamModelAndDefaultMaxTokens() throws {
        let body = try anthropic(#"{"model":"alias","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(body["model"]?.stringValue == "upstream-model")
        #expect(body["max_tokens"]?.intValue == 100)
    }

    @Test(arguments: [
        (#"{"model":"m","messages":[{"role":"user","content":"hi"}],"n":2}"#, "'n'"),
        (
            #"{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}"#,
            "input_audio"
        ),
        (
            #"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x"}}]}]}"#,
            "image_url.url"
        ),
        (#"{"model":"m","messages":[{"role":"tool","content":"x"}]}"#, "tool_call_id"),
        (#"{"model":"m","messages":[{"role":"system","content":"only a system prompt"}]}"#, "at least one"),
        (
            #"{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"custom","custom":{}}]}"#,
            "custom"
        ),
        (#"{"model":"m","messages":[{"role":"wizard","content":"x"}]}"#, "wizard"),
        (
            #"{"model":"m","messages":[{"role":"user","content":42}]}"#,
            "'messages[0].content' must be a string or an array, not a number"
        ),
        (#"{"model":"m"}"#, "'messages' is required"),
        ("{", "not valid JSON"),
    ])
    func openAIRequestsAnthropicCannotServe(json: String, mention: String) {
        #expect {
            _ = try anthropic(json)
        } throws: { error in
            guard let error = error as? TranslationError else { return false }
            return error.status == 400 && error.message.contains(mention)
        }
    }

    @Test(arguments: [
        (
            #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search_20250305","name":"web_search"}]}"#,
            "web_search_20250305"
        ),
        (#"{"model":"m","max_tokens":5,"messages":[{"role":"system","content":"x"}]}"#, "'messages[0].role'"),
        (
            #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}"#,
            "image sources"
        ),
        (
            #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text"}]}]}"#,
            "'messages[0].content[0].text' is required"
        ),
    ])
    func anthropicRequestsOpenAICannotServe(json: String, mention: String) {
        #expect {
            _ = try openAI(json)
        } throws: { error in
            guard let error = error as? TranslationError else { return false }
            return error.status == 400 && error.message.contains(mention)
        }
    }

    /// Anthropic rejects empty and whitespace-only text blocks; Unicode spaces count as blank too.
    @Test(arguments: [
        (" \t\r\n\u{0B}\u{0C}", true),
        ("\u{3000}\u{A0} ", true),
        ("", true),
        ("  x", false),
        ("\u{A0}é", false),
        ("\u{3000} x", false),
    ])
    func blankSystemTextIsDropped(text: String, isBlank: Bool) throws {
        let json = JSONValue.object(
            JSONObject([
                "model": .string("m"),
                "messages": .array([
                    .object(JSONObject(["role": .string("system"), "content": .string(text)])),
                    .object(JSONObject(["role": .string("user"), "content": .string("hi")])),
                ]),
            ])
        )
        let body = try anthropic(json.serializedText)
        #expect((body["system"] == nil) == isBlank)
    }

    @Test func toolChoiceWithoutToolsIsDropped() throws {
        let body = try anthropic(#"{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"required"}"#)
        #expect(body["tool_choice"] == nil)
        #expect(body["tools"] == nil)
    }

    @Test func maxTokensFieldIsConfigurable() throws {
        let json = #"{"model":"m","max_tokens":7,"messages":[{"role":"user","content":"x"}]}"#
        let old = try OpenAIFromAnthropic.translateRequest(
            Array(json.utf8),
            options: RequestTranslationOptions(openAIMaxTokensField: .maxTokens)
        )
        let body = try JSONValue(parsing: old.body)
        #expect(body["max_tokens"]?.intValue == 7)
        #expect(body["max_completion_tokens"] == nil)
        #expect(body["model"]?.stringValue == "m")
    }

    @Test func passthroughOnlyTouchesModelAndStreamOptions() throws {
        let json = Array(#"{"model": "alias", "stream": true, "messages": [], "x": 1.50}"#.utf8)
        let openAI = try DialectTranslation.translateRequest(json, from: .openAI, to: .openAI, options: options)
        #expect(
            String(decoding: openAI.body, as: UTF8.self)
                == #"{"stream_options":{"include_usage":true},"model": "upstream-model", "stream": true, "messages": [], "x": 1.50}"#
        )
        #expect(openAI.stream)
        #expect(!openAI.clientWantsStreamUsage)
        let anthropic = try DialectTranslation.translateRequest(
            json,
            from: .anthropic,
            to: .anthropic,
            options: options
        )
        #expect(
            String(decoding: anthropic.body, as: UTF8.self)
                == #"{"model": "upstream-model", "stream": true, "messages": [], "x": 1.50}"#
        )
        let buffered = Array(#"{"model":"upstream-model","messages":[]}"#.utf8)
        let unchanged = try DialectTranslation.translateRequest(buffered, from: .openAI, to: .openAI, options: options)
        #expect(unchanged.body == buffered)
    }

    /// The model's name and the stream's options are both spliced from the one scan, wherever
    /// each sits, in one copy.
    @Test func passthroughSplicesModelAndStreamOptionsTogether() throws {
        let body = Array(#"{"stream":true,"model":"alias","stream_options":{"x":1},"prompt":"hi"}"#.utf8)
        let fields = try RequestBodyFields(scanning: body)
        let chat = DialectTranslation.likeAPIsRequest(body, fields: fields, client: .openAI, upstreamModel: "up")
        #expect(
            String(decoding: chat.body, as: UTF8.self)
                == #"{"stream":true,"model":"up","stream_options":{"x":1,"include_usage":true},"prompt":"hi"}"#
        )
        let completions = DialectTranslation.passthroughRequest(
            body,
            endpoint: .completions,
            fields: fields,
            upstreamModel: "up"
        )
        #expect(completions.body == chat.body)
        let embeddings = DialectTranslation.passthroughRequest(
            body,
            endpoint: .embeddings,
            fields: fields,
            upstreamModel: "alias"
        )
        #expect(embeddings.body == body, "nothing to change: the client's bytes")
    }

    @Test func upstreamCredentialErrorsNeverEchoTheKey() {
        let openAIBody = Array(
            #"{"error":{"message":"Incorrect API key provided: sk-****abcd","type":"invalid_request_error","code":"invalid_api_key"}}"#
                .utf8
        )
        for client in [APIDialect.openAI, .anthropic] {
            let error = DialectTranslation.translateError(status: 401, body: openAIBody, from: .openAI, to: client)
            #expect(error.status == 401)
            #expect(!String(decoding: error.body, as: UTF8.self).contains("abcd"))
        }
        let other = DialectTranslation.translateError(status: 400, body: openAIBody, from: .openAI, to: .openAI)
        #expect(other.body == openAIBody)
    }

    @Test func translationErrorsInBothDialects() {
        let error = TranslationError.unsupported("'n' greater than 1 is not supported by this model.")
        #expect(
            String(decoding: error.body(in: .openAI), as: UTF8.self)
                == #"{"error":{"message":"'n' greater than 1 is not supported by this model.","type":"invalid_request_error","param":null,"code":null}}"#
        )
        #expect(
            String(decoding: error.body(in: .anthropic), as: UTF8.self)
                == #"{"type":"error","error":{"type":"invalid_request_error","message":"'n' greater than 1 is not supported by this model."}}"#
        )
        let upstream = TranslationError.invalidUpstreamResponse("choices missing")
        #expect(upstream.status == 502)
        #expect(!upstream.message.contains("choices"))
    }

    @Test func upstreamResponsesOfTheWrongShape() {
        #expect(throws: TranslationError.self) {
            try AnthropicFromOpenAI.translateResponse(Array(#"{"id":"x"}"#.utf8), context: goldenContext)
        }
        #expect(throws: TranslationError.self) {
            try OpenAIFromAnthropic.translateResponse(Array(#"{"choices":[]}"#.utf8), context: goldenContext)
        }
        #expect(throws: TranslationError.self) {
            try OpenAIFromAnthropic.translateResponse(Array("<html>".utf8), context: goldenContext)
        }
    }
}

import Foundation
import Gateway
import Testing

/// Rough costs of the translators, printed, for `swift test -c release` with
/// `TOLLGATE_BENCH=1`; skipped otherwise (debug builds say little about speed).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TOLLGATE_BENCH"] == "1"))
struct TranslationBenchmarkTests {
    @Test func streamEvents() throws {
        let event = Array(
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello there, world\"}}\n\n"
                .utf8
        )
        let start = Array(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":4,\"output_tokens\":1}}}\n\n"
                .utf8
        )
        var translator = AnthropicFromOpenAI.makeStreamTranslator(context: goldenContext)
        _ = translator.feed(start)
        measure("anthropic→openai, one text delta event", iterations: 20_000) { _ = translator.feed(event) }
        var passthrough = AnthropicPassthroughStream()
        _ = passthrough.feed(start)
        measure("anthropic passthrough, one text delta event", iterations: 20_000) { _ = passthrough.feed(event) }

        let chunk = Array(
            "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello there, world\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
                .utf8
        )
        var reverse = OpenAIFromAnthropic.makeStreamTranslator(context: goldenContext)
        _ = reverse.feed(chunk)
        measure("openai→anthropic, one content chunk", iterations: 20_000) { _ = reverse.feed(chunk) }
        var hiding = OpenAIPassthroughStream(clientWantsUsage: false)
        _ = hiding.feed(chunk)
        measure("openai passthrough hiding usage, one chunk", iterations: 20_000) { _ = hiding.feed(chunk) }
        var watching = OpenAIPassthroughStream(clientWantsUsage: true)
        _ = watching.feed(chunk)
        measure("openai passthrough watching, one chunk", iterations: 20_000) { _ = watching.feed(chunk) }
    }

    @Test func requestStages() throws {
        let small = try Golden.read("requests/openai/tools_multiturn.json")
        measure("  parse tools_multiturn", iterations: 5_000) { _ = try? JSONValue(parsing: small) }
        let json = try JSONValue(parsing: small)
        measure("  decode OpenAIChatRequest", iterations: 5_000) { _ = try? OpenAIChatRequest(json: json) }
        let request = try OpenAIChatRequest(json: json)
        measure("  map to Anthropic", iterations: 5_000) {
            _ = try? AnthropicFromOpenAI.anthropicRequest(from: request, options: RequestTranslationOptions())
        }
        let anthropic = try AnthropicFromOpenAI.anthropicRequest(from: request, options: RequestTranslationOptions())
        measure("  encode to JSONValue", iterations: 5_000) { _ = anthropic.json }
        let encoded = anthropic.json
        measure("  serialize", iterations: 5_000) { _ = encoded.serialized }
    }

    @Test func requests() throws {
        let small = try Golden.read("requests/openai/tools_multiturn.json")
        measure("openai→anthropic request, tools_multiturn (\(small.count) B)", iterations: 2_000) {
            _ = try? AnthropicFromOpenAI.translateRequest(small, options: RequestTranslationOptions())
        }
        let claude = try Golden.read("requests/anthropic/claude_code.json")
        measure("anthropic→openai request, claude_code (\(claude.count) B)", iterations: 2_000) {
            _ = try? OpenAIFromAnthropic.translateRequest(claude, options: RequestTranslationOptions())
        }
        // A long conversation: 200 turns of 2 KB.
        var messages: [String] = []
        let turn = String(repeating: "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", count: 36)
        for index in 0..<200 {
            messages.append(#"{"role":"\#(index % 2 == 0 ? "user" : "assistant")","content":"\#(turn)"}"#)
        }
        let long = Array(#"{"model":"m","messages":[\#(messages.joined(separator: ","))]}"#.utf8)
        measure("  parse 200 turns", iterations: 50) { _ = try? JSONValue(parsing: long) }
        let longJSON = try JSONValue(parsing: long)
        measure("  decode 200 turns", iterations: 50) { _ = try? OpenAIChatRequest(json: longJSON) }
        let longRequest = try OpenAIChatRequest(json: longJSON)
        measure("  map 200 turns", iterations: 50) {
            _ = try? AnthropicFromOpenAI.anthropicRequest(from: longRequest, options: RequestTranslationOptions())
        }
        let longAnthropic = try AnthropicFromOpenAI.anthropicRequest(
            from: longRequest,
            options: RequestTranslationOptions()
        ).json
        measure("  serialize 200 turns", iterations: 50) { _ = longAnthropic.serialized }
        measure("openai→anthropic request, 200 turns (\(long.count / 1024) KiB)", iterations: 50) {
            _ = try? AnthropicFromOpenAI.translateRequest(long, options: RequestTranslationOptions())
        }
        let streamed = Array(#"{"model":"m","stream":true,"messages":[\#(messages.joined(separator: ","))]}"#.utf8)
        measure("openai passthrough request with include_usage, 200 turns", iterations: 50) {
            _ = try? DialectTranslation.translateRequest(
                streamed,
                from: .openAI,
                to: .openAI,
                options: RequestTranslationOptions()
            )
        }
    }
}

import Gateway
import Testing

/// `AnthropicStreamEvent.write` puts a translated stream's events on the wire without a JSON
/// tree: each must come out in the API's member order and read back as the same event.
@Suite struct TranslationAnthropicEventTests {
    private func decoded(_ text: String) throws -> AnthropicStreamEvent {
        try AnthropicStreamEvent(json: JSONValue(parsing: Array(text.utf8)))
    }

    private func written(_ event: AnthropicStreamEvent) -> String {
        var bytes: [UInt8] = []
        event.write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(arguments: [
        #"{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"a \"b\"\n\\ é"}}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"q\": "}}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2ln"}}"#,
        #"{"type":"content_block_delta","index":1,"delta":{"type":"citations_delta","citation":{"x":[1,null]}}}"#,
        #"{"type":"content_block_stop","index":11}"#,
        #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null}}"#,
        #"{"type":"message_delta","delta":{"stop_reason":null,"stop_sequence":"END"}}"#,
        #"{"type":"message_stop"}"#,
        #"{"type":"ping"}"#,
        #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded \"now\""}}"#,
        #"{"type":"some_future_event"}"#,
    ])
    func writesTheAPIsShape(text: String) throws {
        #expect(written(try decoded(text)) == text)
    }

    /// The members written through their trees: the message, a block's start, usage.
    @Test(arguments: [
        #"{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"cache_read_input_tokens":2,"output_tokens":1}}}"#,
        #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get","input":{}}}"#,
        #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
        #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}"#,
    ])
    func roundTripsTheRest(text: String) throws {
        let event = try decoded(text)
        let once = written(event)
        #expect(try decoded(once) == event)
        #expect(written(try decoded(once)) == once)
        #expect(once.hasPrefix(#"{"type":"\#(event.name)""#))
    }
}

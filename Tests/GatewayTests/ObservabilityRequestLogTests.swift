import Foundation
import Synchronization
import Testing

@testable import Gateway

@Suite struct ObservabilityRequestLogTests {
    /// Keeps every line, for tests.
    final class Lines: RequestLogSink {
        let lines = Mutex<[[UInt8]]>([])
        func write(line: [UInt8]) {
            lines.withLock { $0.append(line) }
        }
    }

    static func object(_ line: [UInt8]) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
    }

    @Test func aServedRequestIsOneLineWithEveryField() throws {
        let sink = Lines()
        let observer = RequestLogObserver(
            sink: sink,
            prices: { ObservabilityMetricsTests.prices },
            wallClock: { UnixTime(milliseconds: 1_740_832_207_250) }
        )
        var completion = ObservabilityMetricsTests.served
        completion.envoyRequestID = "1f0c-envoy"
        observer.requestDidComplete(completion)
        let lines = sink.lines.withLock { $0 }
        try #require(lines.count == 1)
        #expect(!lines[0].contains(UInt8(ascii: "\n")))
        let line = try Self.object(lines[0])
        #expect(line["time"] as? String == "2025-03-01T12:30:05.250Z")
        #expect(line["type"] as? String == "request")
        #expect(line["request_id"] as? String == RequestID(7).description)
        #expect(line["envoy_request_id"] as? String == "1f0c-envoy")
        #expect(line["key"] as? String == "team-a")
        #expect(line["tenant"] as? String == "acme")
        #expect(line["endpoint"] as? String == "/v1/chat/completions")
        #expect(line["model"] as? String == "gpt")
        #expect(line["client_model"] as? String == "fast")
        #expect(line["stream"] as? Bool == true)
        #expect(line["status"] as? Int == 200)
        #expect(line["rejection"] is NSNull)
        #expect(line["provider"] as? String == "openai")
        #expect(line["backend"] as? String == "gpt/0")
        #expect(line["upstream_model"] as? String == "gpt-up")
        #expect(line["attempts"] as? Int == 1)
        #expect(line["input_tokens"] as? Int == 1000)
        #expect(line["output_tokens"] as? Int == 301)
        #expect(line["cached_input_tokens"] as? Int == 200)
        #expect(line["cache_creation_input_tokens"] as? Int == 0)
        #expect(line["reasoning_tokens"] as? Int == 0)
        #expect(line["usage_complete"] as? Bool == true)
        #expect(line["cost_usd"] as? Double == 0.004408)
        #expect(line["ttft_ms"] as? Int == 500)
        #expect(line["duration_ms"] as? Int == 2000)
        #expect(line["stream_outcome"] as? String == "completed")
        #expect(line["interrupted"] as? Bool == false)
        #expect(line.count == 27)
    }

    @Test func aRefusedRequestHasNullsWhereNothingIsKnown() throws {
        let line = try Self.object(
            RequestLogLine(
                RequestCompletion(endpoint: .chatCompletions, status: 401, rejection: "missing_key"),
                time: .epoch,
                costMicros: nil
            ).bytes
        )
        #expect(line.count == 27)
        for field in ["key", "model", "provider", "input_tokens", "cost_usd", "ttft_ms", "stream_outcome"] {
            #expect(line[field] is NSNull, "\(field)")
        }
        #expect(line["rejection"] as? String == "missing_key")
        #expect(line["duration_ms"] as? Int == 0)
    }

    @Test func clientTextIsEscapedAndCut() throws {
        let hostile = "x\"}\n{\"key\":\"forged\u{1}" + String(repeating: "é", count: 400)
        let bytes = RequestLogLine(
            RequestCompletion(clientModel: hostile, status: 404, rejection: "model_not_found"),
            time: .epoch,
            costMicros: 0
        ).bytes
        #expect(!bytes.contains(UInt8(ascii: "\n")))
        let line = try Self.object(bytes)
        #expect(line["key"] is NSNull)
        let model = try #require(line["client_model"] as? String)
        #expect(model.utf8.count <= RequestLogLine.maxClientText + 2)
        #expect(model.hasPrefix("x\"}\n{\"key\":\"forged\u{1}é"))
    }

    @Test func millisecondsAreAPlainNumber() {
        #expect(RequestLogLine.milliseconds(.zero) == "0")
        #expect(RequestLogLine.milliseconds(.milliseconds(804) + .microseconds(250)) == "804.25")
        #expect(RequestLogLine.milliseconds(.microseconds(7)) == "0.007")
        #expect(RequestLogLine.milliseconds(.nanoseconds(999)) == "0")
        #expect(RequestLogLine.milliseconds(.seconds(3600)) == "3600000")
    }
}

import Testing

@testable import Gateway

/// The input estimate and the output cap a reservation holds.
@Suite struct RateLimitDemandTests {
    @Test func smallBodiesCountOneTokenPerFourBytesRoundedUp() {
        #expect(InputTokenEstimator.estimate(body: []) == 0)
        #expect(InputTokenEstimator.estimate(body: Array(repeating: 0x61, count: 1)) == 1)
        #expect(InputTokenEstimator.estimate(body: Array(repeating: 0x61, count: 4)) == 1)
        #expect(InputTokenEstimator.estimate(body: Array(repeating: 0x61, count: 5)) == 2)
        // Below the scan threshold even base64 counts as text.
        #expect(InputTokenEstimator.estimate(body: Array(repeating: 0x41, count: 32 * 1024 - 1)) == 8192)
    }

    @Test func largeBase64PayloadsCountOneTokenPerThirtyTwoBytes() {
        let text = Array(
            #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"what is this?"}"#.utf8
        )
        let image = Array(#",{"type":"image_url","image_url":{"url":"data:image/png;base64,"#.utf8)
        let payload = Array(repeating: UInt8(ascii: "Q"), count: 1_000_000)
        let tail = Array(#""}}]}]}"#.utf8)
        let body = text + image + payload + tail
        let expected = (body.count - 1_000_000 + 3) / 4 + 1_000_000 / 32
        #expect(InputTokenEstimator.estimate(body: body) == expected)
        // Plain text of the same size is not discounted: words are short runs.
        let prose = Array(String(repeating: "the quick brown fox ", count: 2000).utf8)
        #expect(InputTokenEstimator.estimate(body: prose) == (prose.count + 3) / 4)
        // A run just under 1 KiB is text; at 1 KiB it is a payload.
        let short =
            Array(repeating: UInt8(ascii: " "), count: 40_000) + Array(repeating: UInt8(ascii: "A"), count: 1023)
        #expect(InputTokenEstimator.estimate(body: short) == (short.count + 3) / 4)
        let long = Array(repeating: UInt8(ascii: " "), count: 40_000) + Array(repeating: UInt8(ascii: "A"), count: 1024)
        #expect(InputTokenEstimator.estimate(body: long) == 10_000 + 32)
    }

    @Test func theOutputCapIsTheLargestOfTheThreeNamesOrTheDefault() throws {
        // The router reads the cap in the same scan as `model` and `stream`.
        func cap(_ json: String) -> Int? {
            (try? RequestBodyFields(scanning: Array(json.utf8)))?.maxTokens
        }
        #expect(cap(#"{"model":"m","max_tokens":1024}"#) == 1024)
        #expect(cap(#"{"max_completion_tokens":300,"max_tokens":200}"#) == 300)
        #expect(cap(#"{"max_output_tokens":77}"#) == 77)
        #expect(cap(#"{"m\u0061x_tokens":12}"#) == 12)
        #expect(cap(#"{"model":"m"}"#) == nil)
        #expect(cap(#"{"max_tokens":1.5}"#) == nil)
        #expect(cap(#"{"max_tokens":-1}"#) == nil)
        #expect(cap(#"{"max_tokens":"9"}"#) == nil)
        #expect(cap(#"{"max_tokens":99999999999999999999999}"#) == Int.max)
        #expect(cap(#"{"max_tokens":5"#) == nil)
        let body = Array(#"{"model":"m","max_tokens":100}"#.utf8)
        let demand = RateLimitDemand(
            body: body,
            maxTokens: try RequestBodyFields(scanning: body).maxTokens,
            defaultMaxTokens: 4096
        )
        #expect(demand == RateLimitDemand(inputTokens: 8, maxOutputTokens: 100))
        #expect(RateLimitDemand(body: body, maxTokens: nil, defaultMaxTokens: 4096).maxOutputTokens == 4096)
        #expect(RateLimitDemand(inputTokens: Int.max, maxOutputTokens: 5).totalTokens == Int.max)
    }
}

import ExtProc
import Foundation
import Gateway
import Testing

/// Tollgate's own work for one streamed chat request, every phase's handler called with the
/// messages Envoy sends (no sockets, no protobuf): router request headers and body, the upstream
/// attempt, the response headers and the SSE body in one chunk. Printed, for
/// `swift test -c release` with `TOLLGATE_BENCH=1`; skipped otherwise.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TOLLGATE_BENCH"] == "1"))
struct PhasesBenchmarkTests {
    private func measure(_ label: String, iterations: Int, _ body: () throws -> Void) rethrows {
        let clock = ContinuousClock()
        for _ in 0..<100 { try body() }
        var elapsed = Duration.zero
        for _ in 0..<iterations {
            let start = clock.now
            try body()
            elapsed += clock.now - start
        }
        let micros = Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6
        print("\(label): \(String(format: "%.2f", micros / Double(iterations))) µs per request")
    }

    private func exchange(
        _ gateway: GatewayHarness,
        key: String,
        body: String,
        backend: String,
        sse: [UInt8]
    ) throws {
        let exchange = try Exchange(gateway, key: key, body: body)
        _ = exchange.attempt(backend)
        _ = exchange.responseHeaders(contentType: "text/event-stream")
        let reply = exchange.responseBody(sse)
        guard reply.dynamicMetadata != nil else { throw CancellationError() }
        exchange.router.streamDidEnd(.reset)
    }

    @Test func streamedChatRequest() throws {
        let gateway = GatewayHarness()
        let question = String(repeating: "Write one sentence about a fox. ", count: 8)
        let openAIBody =
            #"{"model":"fast","stream":true,"max_tokens":64,"messages":[{"role":"system","content":"You are a concise assistant."},{"role":"user","content":""#
            + question + #""}]}"#
        let claudeBody = openAIBody.replacingOccurrences(of: #""model":"fast""#, with: #""model":"sonnet""#)
        let anthropicSSE = try fixture("streams/anthropic/text_cache.sse")
        let openAISSE = try fixture("streams/openai/text_usage.sse")
        try measure("openai client, openai backend (passthrough, usage chunk hidden)", iterations: 5_000) {
            try exchange(
                gateway,
                key: GatewayFixture.teamAKey,
                body: openAIBody,
                backend: "gpt-4o-mini/0",
                sse: openAISSE
            )
        }
        try measure("openai client, anthropic backend (translated both ways)", iterations: 5_000) {
            try exchange(
                gateway,
                key: GatewayFixture.teamBKey,
                body: claudeBody,
                backend: "claude-sonnet/0",
                sse: anthropicSSE
            )
        }
        #expect(gateway.requests.count == 0)
    }
}

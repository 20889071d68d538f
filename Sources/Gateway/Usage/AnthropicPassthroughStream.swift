/// An Anthropic Messages stream passed from Anthropic to an Anthropic client, watched for its
/// usage. The bytes go through untouched, each event once it is complete.
///
/// Usage: `message_start` carries the input and cache counts (and a first output count);
/// `message_delta` carries the cumulative output count, and in newer API versions the input
/// counts again, which replace the earlier ones. Only those events, `message_stop`, `error` and,
/// until the first content, `content_block_*` are parsed; the many `content_block_delta`s after
/// that are recognised by their SSE event name and skipped.
///
/// A body that ends without `message_stop` (or an `error` event) gets an `error` event appended,
/// and its usage is incomplete; an unfinished last event is dropped rather than forwarded in
/// part, unless it is readable and lacks only its blank line.
public struct AnthropicPassthroughStream: ResponseStreamTranslator {
    private var parser = SSEParser()
    private var buffer = SSEPassthroughBuffer()
    private var anthropicUsage = AnthropicUsage()
    private var sawUsage = false
    private var ended = false
    public private(set) var outcome: StreamOutcome = .inProgress
    public private(set) var hasEmittedContent = false

    public init() {}

    public var usage: TokenUsage {
        TokenUsage(anthropic: anthropicUsage, isComplete: sawUsage && outcome == .completed)
    }

    public mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        guard !ended else { return [] }
        do {
            for event in try parser.feed(chunk) { _ = observe(event) }
        } catch {
            var output = buffer.release(chunk, pending: 0)
            fail(.eventTooLarge, into: &output)
            return output
        }
        return buffer.release(chunk, pending: parser.pendingByteCount)
    }

    public mutating func finish() -> [UInt8] {
        guard !ended else { return [] }
        ended = true
        let (events, readable) = parser.finish().readableEvents
        for event in events { _ = observe(event) }
        var output = buffer.finish(complete: readable)
        if !outcome.isFinished { fail(.truncated, into: &output) }
        return output
    }

    /// Notes what `sse` says; false when it is not a readable event.
    private mutating func observe(_ sse: SSEEvent) -> Bool {
        if hasEmittedContent, let name = sse.name, name == "content_block_delta" || name == "ping" { return true }
        guard let json = try? JSONValue(parsing: sse.data), let event = try? AnthropicStreamEvent(json: json) else {
            return false
        }
        guard !outcome.isFinished else { return true }
        switch event {
        case .messageStart(let message):
            anthropicUsage = message.usage
            sawUsage = true
        case .contentBlockStart(_, let block):
            switch block {
            case .toolUse: hasEmittedContent = true
            case .text(let text, _): if !text.isEmpty { hasEmittedContent = true }
            case .image, .toolResult, .thinking, .other: break
            }
        case .contentBlockDelta(_, let delta):
            switch delta {
            case .text(let text): if !text.isEmpty { hasEmittedContent = true }
            case .inputJSON, .thinking: hasEmittedContent = true
            case .signature, .other: break
            }
        case .messageDelta(_, _, let usage):
            guard let usage else { break }
            sawUsage = true
            if let value = usage.inputTokens { anthropicUsage.inputTokens = value }
            if let value = usage.outputTokens { anthropicUsage.outputTokens = value }
            if let value = usage.cacheCreationInputTokens { anthropicUsage.cacheCreationInputTokens = value }
            if let value = usage.cacheReadInputTokens { anthropicUsage.cacheReadInputTokens = value }
        case .messageStop:
            outcome = .completed
        case .error(let error):
            outcome = .failed(.upstreamError(type: error.type, message: error.message))
        case .contentBlockStop, .ping, .unknown:
            break
        }
        return true
    }

    private mutating func fail(_ failure: StreamFailure, into output: inout [UInt8]) {
        outcome = .failed(failure)
        ended = true
        let body = ErrorBodies.body(in: .anthropic, type: "api_error", message: failure.clientMessage)
        SSEWriter.appendEvent(name: "error", data: body, to: &output)
    }
}

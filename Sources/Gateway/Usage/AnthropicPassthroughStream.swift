/// An Anthropic Messages stream passed from Anthropic to an Anthropic client, watched for its
/// usage. The bytes go through untouched.
///
/// Usage: `message_start` carries the input and cache counts (and a first output count);
/// `message_delta` carries the cumulative output count, and in newer API versions the input
/// counts again, which replace the earlier ones. Only those events, `message_stop`, `error` and,
/// until the first content, `content_block_*` are parsed; the many `content_block_delta`s after
/// that are recognised by their SSE event name and skipped.
///
/// A body that ends without `message_stop` (or an `error` event) gets an `error` event appended,
/// and its usage is incomplete.
public struct AnthropicPassthroughStream: ResponseStreamTranslator {
    private var parser = SSEParser()
    private var anthropicUsage = AnthropicUsage()
    private var sawUsage = false
    public private(set) var outcome: StreamOutcome = .inProgress
    public private(set) var hasEmittedContent = false

    public init() {}

    public var usage: TokenUsage {
        TokenUsage(anthropic: anthropicUsage, isComplete: sawUsage && outcome == .completed)
    }

    public mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        guard !outcome.isFinished else { return chunk }
        do {
            for event in try parser.feed(chunk) { observe(event) }
        } catch {
            var output = chunk
            fail(.eventTooLarge, into: &output)
            return output
        }
        return chunk
    }

    public mutating func finish() -> [UInt8] {
        guard !outcome.isFinished else { return [] }
        for event in parser.finish().events { observe(event) }
        var output: [UInt8] = []
        if !outcome.isFinished { fail(.truncated, into: &output) }
        return output
    }

    private mutating func observe(_ sse: SSEEvent) {
        guard !outcome.isFinished else { return }
        if hasEmittedContent, let name = sse.name, name == "content_block_delta" || name == "ping" { return }
        guard let json = try? JSONValue(parsing: sse.data), let event = try? AnthropicStreamEvent(json: json) else {
            return
        }
        switch event {
        case .messageStart(let message):
            anthropicUsage = message.usage
            sawUsage = true
        case .contentBlockStart(_, let block):
            if case .toolUse = block { hasEmittedContent = true }
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
    }

    private mutating func fail(_ failure: StreamFailure, into output: inout [UInt8]) {
        outcome = .failed(failure)
        let body = ErrorBodies.body(in: .anthropic, type: "api_error", message: failure.clientMessage)
        SSEWriter.appendEvent(name: "error", data: body, to: &output)
    }
}

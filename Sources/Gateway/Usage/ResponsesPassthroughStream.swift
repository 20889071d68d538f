/// An OpenAI Responses API stream (`POST /v1/responses` with `"stream": true`) passed from an
/// OpenAI-compatible provider (OpenAI, Azure) to the client, watched for its usage. The bytes go
/// through untouched, each event once it is complete.
///
/// The stream is a sequence of typed events (`response.created`, `response.output_text.delta`, …)
/// that ends with one of `response.completed`, `response.incomplete` (cut by `max_output_tokens`
/// or a content filter, and billed like a completed answer) or `response.failed`, each carrying
/// the final `response` with its `usage`; an `error` event may end it instead. There is no
/// `[DONE]`. Usage therefore arrives only at the end, and is complete whenever it arrives (a
/// failed response's too: it is the provider's own final count); a stream cut before it has none.
///
/// Reading is cheap: an event's type comes from its SSE `event:` name (OpenAI and Azure send
/// one), else from the data's root `type`; only the ending events, and content deltas until the
/// first one, are parsed. The first non-empty `response.output_text.delta`,
/// `response.function_call_arguments.delta` or `response.refusal.delta` is the first content
/// (time to first token).
///
/// A body that ends without an ending event (or whose ending event cannot be read) gets an `error`
/// event in the Responses API's shape appended, and its usage is incomplete; an unfinished last
/// event is dropped rather than forwarded in part, unless it is readable and lacks only its blank
/// line. Every decision is made per event, so chunk boundaries never change the output.
public struct ResponsesPassthroughStream: ResponseStreamTranslator {
    private var parser = SSEParser()
    private var buffer = SSEPassthroughBuffer()
    private var responsesUsage: OpenAIResponsesUsage?
    /// Events passed to the client. OpenAI numbers a stream's events from 0 (`sequence_number`),
    /// so this is the number the gateway's own error event takes.
    private var eventCount = 0
    /// The first event that should have been readable and was not: the stream's failure if no
    /// ending event follows.
    private var unreadable: StreamFailure?
    private var ended = false
    public private(set) var outcome: StreamOutcome = .inProgress
    public private(set) var hasEmittedContent = false

    public init() {}

    public var usage: TokenUsage {
        responsesUsage.map { TokenUsage(openAIResponses: $0) } ?? .none
    }

    public mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        guard !ended else { return [] }
        let events: [SSEEvent]
        do {
            events = try parser.feed(chunk)
        } catch {
            // Where the oversized event began in this chunk is unknown: none of it is sent, so
            // the client never gets half an event before the error.
            var output = buffer.finish(complete: false)
            fail(.eventTooLarge, into: &output)
            return output
        }
        for event in events { observe(event) }
        return buffer.release(chunk, pending: parser.pendingByteCount)
    }

    public mutating func finish() -> [UInt8] {
        guard !ended else { return [] }
        ended = true
        let (events, readable) = parser.finish().readableEvents
        for event in events { observe(event) }
        var output = buffer.finish(complete: readable)
        if !outcome.isFinished { fail(unreadable ?? .truncated, into: &output) }
        return output
    }

    /// Notes what one event passed to the client says.
    private mutating func observe(_ sse: SSEEvent) {
        eventCount += 1
        guard !outcome.isFinished else { return }
        guard let type = sse.name ?? Self.rootType(of: sse.data) else {
            // Some compatible servers end with OpenAI's chat marker; the ending events decide.
            if !sse.isDone { noteUnreadable("an event without a type") }
            return
        }
        switch type {
        case "response.output_text.delta", "response.function_call_arguments.delta", "response.refusal.delta":
            guard !hasEmittedContent else { return }
            if let delta = (try? JSONValue(parsing: sse.data))?["delta"]?.stringValue, !delta.isEmpty {
                hasEmittedContent = true
            }
        case "response.completed", "response.incomplete", "response.failed":
            guard let json = try? JSONValue(parsing: sse.data), let response = json["response"]?.objectValue else {
                noteUnreadable("a \(type) event that is not JSON with a response object")
                return
            }
            if let value = response["usage"], !value.isNull {
                guard let usage = try? OpenAIResponsesUsage(json: value) else {
                    noteUnreadable("a \(type) event whose usage is not the documented shape")
                    return
                }
                responsesUsage = usage
            }
            guard type == "response.failed" else {
                outcome = .completed
                return
            }
            let error = response["error"]
            outcome = .failed(
                .upstreamError(
                    type: error?["code"]?.stringValue ?? "server_error",
                    message: error?["message"]?.stringValue ?? ""
                )
            )
        case "error":
            guard let json = try? JSONValue(parsing: sse.data) else {
                noteUnreadable("an error event that is not JSON")
                return
            }
            // `{"type":"error","code","message","param"}`; some servers nest it under `error`.
            let error = json["error"].flatMap { $0.objectValue == nil ? nil : $0 } ?? json
            outcome = .failed(
                .upstreamError(
                    type: error["code"]?.stringValue ?? error["type"]?.stringValue ?? "error",
                    message: error["message"]?.stringValue ?? ""
                )
            )
        default:
            break
        }
    }

    private mutating func noteUnreadable(_ detail: String) {
        if unreadable == nil { unreadable = .malformed(detail) }
    }

    private mutating func fail(_ failure: StreamFailure, into output: inout [UInt8]) {
        outcome = .failed(failure)
        ended = true
        let data = ErrorBodies.responsesStreamError(
            code: "server_error",
            message: failure.clientMessage,
            sequenceNumber: eventCount
        )
        SSEWriter.appendEvent(name: "error", data: data, to: &output)
    }

    /// The root object's `type`, for servers that send no `event:` names; nil when the data is
    /// not a JSON object with a string `type`. Scanned, not parsed: most events are deltas.
    private static func rootType(of data: [UInt8]) -> String? {
        var type: String?
        do {
            try JSONScanner.forEachRootMember(in: data) { member in
                if type == nil, member.key(in: data, equals: "type") { type = member.stringValue(in: data) }
            }
        } catch {
            return nil
        }
        return type
    }
}

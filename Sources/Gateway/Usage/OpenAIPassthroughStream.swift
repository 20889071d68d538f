/// An OpenAI chat completions or (legacy) completions stream passed from an OpenAI-compatible
/// provider to an OpenAI client, watched for its usage. Both APIs stream the same way: chunks
/// with `choices`, a `finish_reason`, the usage chunk with empty `choices` when asked for, and
/// `data: [DONE]`; they differ only in where the text is (`delta` or the choice's `text`).
///
/// The request translation always asks the provider for the usage chunk
/// (`OpenAIStreamUsageRequest`). When the client asked too, the provider's bytes go through
/// untouched and are only read. When it did not, the client must see the stream it asked for:
/// each event is written back with the usage-only chunk (empty `choices`) left out and the
/// `"usage":null` member the provider adds to every other chunk cut out of its JSON, every other
/// byte of the data kept. Either way an event reaches the client only once it is complete.
///
/// Reading is cheap: an event is scanned only if its data mentions `"usage"`, and parsed only
/// until the first content arrives (for `hasEmittedContent`). A body that ends without
/// `data: [DONE]` gets an error line and `[DONE]` appended, and its usage is incomplete, unless a
/// `finish_reason` came (then only `[DONE]` is added).
public struct OpenAIPassthroughStream: ResponseStreamTranslator {
    private var parser = SSEParser()
    private var buffer = SSEPassthroughBuffer()
    private let clientWantsUsage: Bool
    private var openAIUsage: OpenAIUsage?
    /// The provider's error line, once one went through.
    private var upstreamError: StreamFailure?
    /// A chunk with a non-null `finish_reason` went through: a body that then ends without
    /// `[DONE]` (some compatible servers omit it) is complete, and gets the `[DONE]` it lacks.
    private var sawFinishReason = false
    private var ended = false
    public private(set) var outcome: StreamOutcome = .inProgress
    public private(set) var hasEmittedContent = false

    public init(clientWantsUsage: Bool) {
        self.clientWantsUsage = clientWantsUsage
    }

    public var usage: TokenUsage {
        guard let openAIUsage else { return .none }
        return TokenUsage(openAI: openAIUsage, isComplete: outcome == .completed)
    }

    public mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
        guard !ended else { return [] }
        let events: [SSEEvent]
        do {
            events = try parser.feed(chunk)
        } catch {
            var output = clientWantsUsage ? buffer.release(chunk, pending: 0) : []
            fail(.eventTooLarge, into: &output)
            return output
        }
        if clientWantsUsage {
            for event in events { _ = observe(event) }
            return buffer.release(chunk, pending: parser.pendingByteCount)
        }
        var output: [UInt8] = []
        for event in events {
            if let data = observe(event) {
                SSEWriter.append(SSEEvent(name: event.name, data: data, id: event.id, retry: event.retry), to: &output)
            }
        }
        return output
    }

    public mutating func finish() -> [UInt8] {
        guard !ended else { return [] }
        ended = true
        let (events, readable) = parser.finish().readableEvents
        var output: [UInt8] = []
        for event in events {
            let data = observe(event)
            if !clientWantsUsage, let data {
                SSEWriter.append(SSEEvent(name: event.name, data: data, id: event.id, retry: event.retry), to: &output)
            }
        }
        if clientWantsUsage { output = buffer.finish(complete: readable) }
        if !outcome.isFinished {
            if let upstreamError {
                // The provider's error line went through; the client still needs the end.
                SSEWriter.appendDone(to: &output)
                outcome = .failed(upstreamError)
            } else if sawFinishReason {
                SSEWriter.appendDone(to: &output)
                outcome = .completed
            } else {
                fail(.truncated, into: &output)
            }
        }
        return output
    }

    /// Notes what `event` says and returns the data the client should get; nil to drop it.
    private mutating func observe(_ event: SSEEvent) -> [UInt8]? {
        if event.isDone {
            outcome = upstreamError.map { .failed($0) } ?? .completed
            return event.data
        }
        var data = event.data
        let keys = OpenAIChunkKeys(in: data)
        if !hasEmittedContent || keys.error {
            inspectContent(data)
        }
        if keys.finishReasonString { sawFinishReason = true }
        guard keys.usage else { return data }
        if !clientWantsUsage, let trimmed = Self.withoutTrailingNullUsage(data) { return trimmed }
        var members: [JSONMember] = []
        do {
            try JSONScanner.forEachRootMember(in: data) { members.append($0) }
        } catch {
            return data
        }
        guard let usageIndex = members.firstIndex(where: { $0.key(in: data, equals: "usage") }) else { return data }
        let usageMember = members[usageIndex]
        switch usageMember.valueKind {
        case .object:
            if let value = try? JSONValue(parsing: Array(data[usageMember.valueRange])),
                let usage = try? OpenAIUsage(json: value)
            {
                openAIUsage = usage
            }
            if clientWantsUsage { return data }
            let choices = members.first { $0.key(in: data, equals: "choices") }
            if let choices, isEmptyArray(data[choices.valueRange]) { return nil }
            // Usage on a chunk that also has content (some servers do this): keep the content.
            data = removing(member: usageIndex, of: members, from: data)
            return data
        case .null:
            return clientWantsUsage ? data : removing(member: usageIndex, of: members, from: data)
        case .array, .string, .number, .bool:
            return data
        }
    }

    /// Parses a chunk to see whether it carries content (or is an error), until content is seen.
    private mutating func inspectContent(_ data: [UInt8]) {
        guard let json = try? JSONValue(parsing: data) else { return }
        if json["error"] != nil {
            let error = OpenAIErrorBody(json: json)
            upstreamError = .upstreamError(type: error?.type ?? "error", message: error?.message ?? "")
            return
        }
        for choice in json["choices"]?.arrayValue ?? [] {
            if let text = choice["text"]?.stringValue, !text.isEmpty { hasEmittedContent = true }
            guard let delta = choice["delta"] else { continue }
            if let content = delta["content"]?.stringValue, !content.isEmpty { hasEmittedContent = true }
            if let calls = delta["tool_calls"]?.arrayValue, !calls.isEmpty { hasEmittedContent = true }
            if let refusal = delta["refusal"]?.stringValue, !refusal.isEmpty { hasEmittedContent = true }
        }
    }

    private mutating func fail(_ failure: StreamFailure, into output: inout [UInt8]) {
        outcome = .failed(failure)
        ended = true
        let body = ErrorBodies.body(in: .openAI, type: "server_error", message: failure.clientMessage)
        SSEWriter.appendEvent(data: body, to: &output)
        SSEWriter.appendDone(to: &output)
    }

    /// `data` without the `"usage":null` member, if it is the last one (the providers' usual
    /// shape): no scan needed, since in valid JSON the member just before the final `}` is the
    /// root object's. Compared against a literal: this runs on every chunk of a hidden-usage stream.
    private static func withoutTrailingNullUsage(_ data: [UInt8]) -> [UInt8]? {
        let suffix: StaticString = #","usage":null}"#
        let start = data.count - suffix.utf8CodeUnitCount
        guard start > 0, suffix.withUTF8Buffer({ data[start...].elementsEqual($0) }) else { return nil }
        var trimmed = data
        trimmed.removeSubrange(start..<(data.count - 1))
        return trimmed
    }
}

/// Whether `bytes` is `[` whitespace `]`.
func isEmptyArray(_ bytes: ArraySlice<UInt8>) -> Bool {
    bytes.dropFirst().dropLast().allSatisfy {
        $0 == ASCII.space || $0 == ASCII.tab || $0 == ASCII.newline || $0 == ASCII.carriageReturn
    }
}

/// `data` without the root member `members[index]` and the comma that joined it to a neighbour.
func removing(member index: Int, of members: [JSONMember], from data: [UInt8]) -> [UInt8] {
    let member = members[index]
    let memberStart = member.keyRange.lowerBound - 1
    let range: Range<Int>
    if index > 0 {
        range = members[index - 1].valueRange.upperBound..<member.valueRange.upperBound
    } else if members.count > 1 {
        range = memberStart..<(members[1].keyRange.lowerBound - 1)
    } else {
        range = memberStart..<member.valueRange.upperBound
    }
    var result = data
    result.removeSubrange(range)
    return result
}

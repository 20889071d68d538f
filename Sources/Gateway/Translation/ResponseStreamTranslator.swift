/// A stateful translator of one streamed response body, fed the provider's bytes chunk by chunk
/// as Envoy streams them, returning the bytes for the client.
///
/// Implementations do no I/O and read no clock: each call is a pure step of a state machine over
/// SSE events, so chunk boundaries never change the output (the golden tests feed every stream
/// whole, in random chunks and byte by byte, and compare). Memory is the SSE parser's current
/// event plus a few scalars, whatever the stream's length.
///
/// A stream that ends badly (cut short, an event that is not what the provider's API documents,
/// an error event from the provider) ends the client's stream with an error in the client's
/// dialect; the usage seen so far is kept and marked incomplete.
public protocol ResponseStreamTranslator: Sendable {
    /// Translates the next chunk of the provider's body; the result may be empty.
    mutating func feed(_ chunk: [UInt8]) -> [UInt8]
    /// The provider's body ended (Envoy's `end_of_stream`); returns the client's last bytes.
    mutating func finish() -> [UInt8]
    /// The usage seen so far; `isComplete` once the provider's final count arrived in a stream
    /// that ended cleanly.
    var usage: TokenUsage { get }
    /// Whether text or a tool call has reached the client: the caller notes the time of the first
    /// call that turns this true (time to first token).
    var hasEmittedContent: Bool { get }
    var outcome: StreamOutcome { get }
}

extension ResponseStreamTranslator {
    /// One body chunk from Envoy: `feed`, then `finish` when it is the last one.
    public mutating func process(_ chunk: [UInt8], endOfStream: Bool) -> [UInt8] {
        var output = feed(chunk)
        if endOfStream { output.append(contentsOf: finish()) }
        return output
    }
}

/// How a translated stream stands, for logs and metrics.
public enum StreamOutcome: Sendable, Hashable {
    case inProgress
    /// The provider's stream ended as its API says a stream ends.
    case completed
    /// The client's stream was ended with an error event.
    case failed(StreamFailure)

    public var isFinished: Bool {
        switch self {
        case .inProgress: false
        case .completed, .failed: true
        }
    }
}

/// Why a stream was ended with an error.
public enum StreamFailure: Sendable, Hashable {
    /// The provider sent an error event (type in the provider's terms).
    case upstreamError(type: String, message: String)
    /// The provider's body ended before its API's end of stream.
    case truncated
    /// An event was not JSON or not the documented shape; the detail is for logs.
    case malformed(String)
    /// One event outgrew the SSE parser's limit.
    case eventTooLarge

    /// The message the client sees; nothing internal, the provider's own message for its errors.
    var clientMessage: String {
        switch self {
        case .upstreamError(_, let message):
            message.isEmpty ? "The upstream provider reported an error." : message
        case .truncated: "The upstream provider's stream ended before the response was complete."
        case .malformed: "The upstream provider sent a stream event the gateway could not read."
        case .eventTooLarge: "The upstream provider sent a stream event larger than the gateway accepts."
        }
    }
}

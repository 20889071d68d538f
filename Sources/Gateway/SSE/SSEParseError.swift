/// Why an event stream cannot be parsed further.
public enum SSEParseError: Error, Sendable, Hashable {
    /// One event (or one line) grew past the parser's `maxEventBytes`. The parser refuses to
    /// buffer more, so a stream that never ends its event cannot grow the gateway's memory.
    case eventTooLarge(limit: Int)
}

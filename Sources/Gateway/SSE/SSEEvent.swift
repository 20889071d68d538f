/// One dispatched server-sent event (WHATWG HTML, "Server-sent events", 9.2.6 "Interpreting an
/// event stream").
///
/// `data` is the event's `data:` lines joined with LF, as bytes: the translators parse it as JSON
/// straight away, so it is never turned into a `String` on the way.
public struct SSEEvent: Sendable, Hashable {
    /// The `event:` field; nil when the event had none (the spec's default type, `message`).
    public var name: String?
    public var data: [UInt8]
    /// The `id:` field of this event, if it had one.
    public var id: String?
    /// The `retry:` field of this event, if it had a valid one.
    public var retry: Int?

    public init(name: String? = nil, data: [UInt8], id: String? = nil, retry: Int? = nil) {
        self.name = name
        self.data = data
        self.id = id
        self.retry = retry
    }

    public init(name: String? = nil, data: String) {
        self.init(name: name, data: Array(data.utf8))
    }

    /// Whether the data is exactly `[DONE]`, OpenAI's end-of-stream marker.
    public var isDone: Bool {
        data.elementsEqual("[DONE]".utf8)
    }
}

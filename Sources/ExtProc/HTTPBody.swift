/// A body, or one chunk of it in streamed modes, as sent in `HttpBody`.
public struct HTTPBody: Sendable, Hashable {
    public var bytes: [UInt8]
    /// True on the last body message of this direction; no trailers follow it.
    public var endOfStream: Bool

    public init(bytes: [UInt8], endOfStream: Bool) {
        self.bytes = bytes
        self.endOfStream = endOfStream
    }
}

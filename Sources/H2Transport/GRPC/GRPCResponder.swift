/// Sends messages and the final status of one gRPC call.
///
/// A responder is only used on the event-loop thread that delivered it. Sending after `finish`
/// or after the call was cancelled is ignored, because the peer may reset a call at any time.
public struct GRPCResponder {
    let sink: any GRPCResponseSink
    let streamID: Int32

    init(sink: any GRPCResponseSink, streamID: Int32) {
        self.sink = sink
        self.streamID = streamID
    }

    /// Sends one message of exactly `byteCount` bytes. `encode` writes the message into the
    /// transport's outbound buffer directly, behind the gRPC length prefix, so nothing is copied.
    public func send(byteCount: Int, encode: (UnsafeMutableRawBufferPointer) -> Void) {
        sink.send(streamID: streamID, byteCount: byteCount, encode: encode)
    }

    /// Ends the call with `status` in the trailers.
    public func finish(_ status: GRPCStatus) {
        sink.finish(streamID: streamID, status: status)
    }

    /// Runs `work` on this thread once what was sent so far has been handed to the socket, or the
    /// connection has closed: work the peer does not wait for then does not delay what it does.
    public func afterWrite(_ work: @escaping () -> Void) {
        sink.afterWrite(work)
    }
}

/// The connection side of a responder; implemented by the HTTP/2 connection.
protocol GRPCResponseSink: AnyObject {
    func send(streamID: Int32, byteCount: Int, encode: (UnsafeMutableRawBufferPointer) -> Void)
    func finish(streamID: Int32, status: GRPCStatus)
    func afterWrite(_ work: @escaping () -> Void)
}

/// The application's side of one ext_proc stream, that is of one HTTP exchange through Envoy.
///
/// Calls are synchronous and come from the event-loop thread that owns the stream, one at a time,
/// so an implementation may keep per-exchange state in plain stored properties. Blocking here
/// blocks every stream on that thread.
public protocol ExtProcStreamHandler: AnyObject {
    /// What to send now that `request` arrived: normally one reply, answering it. Empty holds the
    /// answer for a later call (`ProcessingReply` says when Envoy allows that); held answers come
    /// first, oldest first. Requests arrive in protocol order; out-of-order messages end the stream
    /// before reaching the handler. For a request in observability mode the result is discarded,
    /// since Envoy does not read replies then.
    func replies(to request: ProcessingRequest) -> [ProcessingReply]

    /// The stream is over; no more calls follow.
    func streamDidEnd(_ ending: ExtProcStreamEnding)

    /// Whether the last `replies(to:)` left work that Envoy does not wait for (bookkeeping after
    /// the response's last message). If so, `performDeferredWork()` is called once those replies
    /// have been written to Envoy's socket, or the connection has closed.
    var hasDeferredWork: Bool { get }

    /// Does the work `hasDeferredWork` announced. A handler must also do it, first, if
    /// `streamDidEnd` comes before.
    func performDeferredWork()
}

extension ExtProcStreamHandler {
    public var hasDeferredWork: Bool { false }
    public func performDeferredWork() {}
}

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
}

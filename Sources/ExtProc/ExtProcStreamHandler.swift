/// The application's side of one ext_proc stream, that is of one HTTP exchange through Envoy.
///
/// Calls are synchronous and come from the event-loop thread that owns the stream, one at a time,
/// so an implementation may keep per-exchange state in plain stored properties. Blocking here
/// blocks every stream on that thread.
public protocol ExtProcStreamHandler: AnyObject {
    /// Decides what Envoy does at this phase. Requests arrive in protocol order; out-of-order
    /// messages end the stream before reaching the handler. For a request in observability mode
    /// the result is discarded, since Envoy does not read replies then.
    func handle(_ request: ProcessingRequest) -> ProcessingResponse

    /// The stream is over; no more calls follow.
    func streamDidEnd(_ ending: ExtProcStreamEnding)
}

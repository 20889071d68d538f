/// Told how every request ended (`RequestCompletion`), once, by the router phase: the hook for
/// the usage ledger and the token rate limits.
///
/// Called on the event-loop thread of the request's router stream, inside the ext_proc reply's
/// path: an implementation must not block (hand the record to a queue or an actor and return).
public protocol RequestObserver: Sendable {
    func requestDidComplete(_ completion: RequestCompletion)
}

/// The default observer: does nothing.
public struct NoRequestObserver: RequestObserver {
    public init() {}

    public func requestDidComplete(_ completion: RequestCompletion) {}
}

/// Several `RequestObserver`s as one: the router phase reports each request once, and every
/// observer (the ledger, the metrics, the request log) hears it, in the order given.
///
/// Each observer runs on the event-loop thread in turn, so each must return without blocking, as
/// `RequestObserver` requires; one observer cannot stop the next.
public struct RequestObservers: RequestObserver {
    private let observers: [any RequestObserver]

    public init(_ observers: [any RequestObserver]) {
        self.observers = observers
    }

    public func requestDidComplete(_ completion: RequestCompletion) {
        for observer in observers {
            observer.requestDidComplete(completion)
        }
    }
}

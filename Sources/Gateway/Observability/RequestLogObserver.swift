/// Writes one JSON line per request (`RequestLogLine`) to a `RequestLogSink`: the request log.
///
/// Runs on the router stream's event-loop thread: it prices the request, renders the line (one
/// buffer, no Foundation) and hands it to the sink, which queues it.
public struct RequestLogObserver: RequestObserver {
    private let sink: any RequestLogSink
    private let prices: @Sendable () -> PriceTable
    private let wallClock: @Sendable () -> UnixTime

    /// - Parameters:
    ///   - prices: the price table in force (the running config snapshot's).
    ///   - wallClock: now, as Unix time; a line's `time` is when its request arrived, as in the
    ///     ledger.
    public init(
        sink: any RequestLogSink,
        prices: @escaping @Sendable () -> PriceTable,
        wallClock: @escaping @Sendable () -> UnixTime
    ) {
        self.sink = sink
        self.prices = prices
        self.wallClock = wallClock
    }

    public func requestDidComplete(_ completion: RequestCompletion) {
        let line = RequestLogLine(
            completion,
            time: wallClock() - completion.duration,
            costMicros: completion.cost(at: prices())
        )
        sink.write(line: line.bytes)
    }
}

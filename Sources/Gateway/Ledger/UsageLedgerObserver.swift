/// The `RequestObserver` that records every completed request in a `UsageLedger`.
///
/// Runs on the router stream's event-loop thread: it builds the record (a few string copies and the
/// price lookup) and hands it to `ledger.record(_:)`, which queues it without waiting for storage.
/// The wall clock and the price table are read per request, so a price change on config reload
/// applies from the next request.
public struct UsageLedgerObserver: RequestObserver {
    private let ledger: any UsageLedger
    private let prices: @Sendable () -> PriceTable
    private let wallClock: @Sendable () -> UnixTime

    /// - Parameters:
    ///   - prices: the price table in force (the config snapshot's).
    ///   - wallClock: now, as Unix time (`LedgerSQLite`'s `UnixTime.now` in production).
    public init(
        ledger: any UsageLedger,
        prices: @escaping @Sendable () -> PriceTable,
        wallClock: @escaping @Sendable () -> UnixTime
    ) {
        self.ledger = ledger
        self.prices = prices
        self.wallClock = wallClock
    }

    public func requestDidComplete(_ completion: RequestCompletion) {
        let arrival = wallClock() - completion.duration
        ledger.record(UsageRecord(completion, time: arrival, prices: prices()))
    }
}

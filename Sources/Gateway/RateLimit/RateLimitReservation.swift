/// A request's hold on every limit that applies to it, from the body phase to the response's end.
///
/// Returned by `RateLimiter.reserve`; hand it back exactly once to `settle`, `release` or
/// `cancel` (later calls change nothing). An empty reservation (no limit applies) costs nothing
/// to settle. `headers` are the `x-ratelimit-*` values as of the reservation, for the response.
public struct RateLimitReservation: Sendable, Hashable {
    /// nil when no limit applies.
    let ticket: RateLimitTicket?
    /// The model's price when a budget applies, so that settlement counts the same price.
    let price: ModelPrice?
    public let headers: RateLimitHeaders
    /// What was held against token limits: estimated input plus the output cap.
    public let reservedTokens: Int

    init(ticket: RateLimitTicket?, price: ModelPrice?, headers: RateLimitHeaders, reservedTokens: Int) {
        self.ticket = ticket
        self.price = price
        self.headers = headers
        self.reservedTokens = reservedTokens
    }

    /// No limit applied; settling it does nothing.
    public static let empty = RateLimitReservation(
        ticket: nil,
        price: nil,
        headers: RateLimitHeaders(),
        reservedTokens: 0
    )

    public var isEmpty: Bool { ticket == nil }

    /// The counters held and how much each holds, for logs and tests.
    public var charges: [RateLimitCharge] { ticket?.charges ?? [] }
}

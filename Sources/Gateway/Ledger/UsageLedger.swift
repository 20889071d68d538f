/// Where the gateway hands each finished request's `UsageRecord`.
///
/// The request path calls `record(_:)` once per request, from an event-loop thread, when the
/// response has ended (or the request was refused or aborted). Implementations must not block the
/// caller on storage: `record(_:)` queues the record in O(1), with at most a short uncontended lock,
/// and storage happens elsewhere (`LedgerSQLite.LedgerWriter` batches into SQLite). A record that
/// cannot be queued is counted and logged by the implementation, never silently lost, and never
/// turned into an error for the client.
public protocol UsageLedger: Sendable {
    func record(_ record: UsageRecord)
}

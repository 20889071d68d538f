/// Which rows a usage report covers, and how it groups them.
public struct UsageReportQuery: Sendable, Hashable {
    /// Rows at or after this time; nil: from the first row.
    public var since: UnixTime?
    /// Rows before this time; nil: to the last row.
    public var until: UnixTime?
    /// One report row per distinct combination, in this order; empty: one row, the total.
    public var groupBy: [UsageGroup]

    public init(since: UnixTime? = nil, until: UnixTime? = nil, groupBy: [UsageGroup] = []) {
        self.since = since
        self.until = until
        self.groupBy = groupBy
    }
}

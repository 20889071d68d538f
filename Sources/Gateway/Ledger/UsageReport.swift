/// Usage totals over a time range, one row per group: what `tollgate usage` prints.
///
/// Built by the ledger's store from SQL aggregates, so the report's totals are the rows' sums by
/// construction; formatting (`UsageReport+Formatting.swift`) is plain Swift.
public struct UsageReport: Sendable, Hashable {
    /// One group: its value for each of `query.groupBy` (nil where the rows have none, such as the
    /// key of a request refused for having none), and its totals.
    public struct Row: Sendable, Hashable {
        public var groups: [String?]
        public var totals: UsageTotals

        public init(groups: [String?], totals: UsageTotals) {
            self.groups = groups
            self.totals = totals
        }
    }

    public var query: UsageReportQuery
    /// Sorted by the group values; a single row without groups when `query.groupBy` is empty.
    public var rows: [Row]
    /// Over every row in the range.
    public var total: UsageTotals

    public init(query: UsageReportQuery, rows: [Row], total: UsageTotals) {
        self.query = query
        self.rows = rows
        self.total = total
    }
}

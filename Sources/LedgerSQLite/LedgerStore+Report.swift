import Gateway

extension LedgerStore {
    /// Totals over `query`'s range, one row per group, plus the total over all of it.
    ///
    /// Two aggregate queries per level (rows and total): the sums, then the lower median of the
    /// durations with a window function (a sort of the range's durations per group, which is the
    /// cost of the median). Every sum comes from SQL over the same rows, so the report is exactly
    /// the rows.
    public func report(_ query: UsageReportQuery) throws(SQLiteError) -> UsageReport {
        let rows = try groups(query.groupBy, since: query.since, until: query.until)
        let total =
            try groups([], since: query.since, until: query.until).first?.totals
            ?? UsageTotals()
        return UsageReport(query: query, rows: query.groupBy.isEmpty ? [] : rows, total: total)
    }

    private func groups(
        _ groupBy: [UsageGroup],
        since: UnixTime?,
        until: UnixTime?
    ) throws(SQLiteError) -> [UsageReport.Row] {
        let expressions = groupBy.map(Self.expression)
        let selected = expressions.enumerated().map { "\($1) AS g\($0)" }
        let names = expressions.indices.map { "g\($0)" }
        let grouping =
            names.isEmpty ? "" : "GROUP BY \(names.joined(separator: ", ")) ORDER BY \(names.joined(separator: ", "))"
        let sums = try connection.prepare(
            """
            SELECT \((selected + [""]).joined(separator: ", "))
                COUNT(*), COALESCE(SUM(status >= 400), 0), COUNT(rejection_reason), COALESCE(SUM(estimated), 0),
                COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0),
                COALESCE(SUM(cached_input_tokens), 0), COALESCE(SUM(cache_creation_tokens), 0),
                COALESCE(SUM(reasoning_tokens), 0), COALESCE(SUM(cost_micros), 0), COALESCE(SUM(cost_micros IS NULL), 0)
            FROM usage WHERE time_ms >= ?1 AND time_ms < ?2
            \(grouping)
            """
        )
        let count = groupBy.count
        var rows = try sums.query(Self.range(since, until)) { row in
            var totals = UsageTotals()
            totals.requests = Int(row.int64(at: count))
            totals.errors = Int(row.int64(at: count + 1))
            totals.rejected = Int(row.int64(at: count + 2))
            totals.estimated = Int(row.int64(at: count + 3))
            totals.inputTokens = Int(row.int64(at: count + 4))
            totals.outputTokens = Int(row.int64(at: count + 5))
            totals.cachedInputTokens = Int(row.int64(at: count + 6))
            totals.cacheCreationInputTokens = Int(row.int64(at: count + 7))
            totals.reasoningTokens = Int(row.int64(at: count + 8))
            totals.costMicros = row.int64(at: count + 9)
            totals.unpriced = Int(row.int64(at: count + 10))
            return UsageReport.Row(groups: (0..<count).map { row.text(at: $0) }, totals: totals)
        }
        // Without GROUP BY an empty range still gives one row, of zeros.
        if count == 0, rows.first?.totals.requests == 0 {
            return [UsageReport.Row(groups: [], totals: UsageTotals())]
        }
        // A window cannot refer to the select list's aliases: partition by the expressions.
        let partition = expressions.isEmpty ? "" : "PARTITION BY \(expressions.joined(separator: ", "))"
        let medians = try connection.prepare(
            """
            SELECT \((names + ["duration_us"]).joined(separator: ", ")) FROM (
                SELECT \((selected + [""]).joined(separator: ", "))
                    duration_us,
                    ROW_NUMBER() OVER (\(partition) ORDER BY duration_us) AS position,
                    COUNT(*) OVER (\(partition)) AS size
                FROM usage WHERE time_ms >= ?1 AND time_ms < ?2
            ) WHERE position = (size + 1) / 2
            """
        )
        let medianByGroup = try medians.query(Self.range(since, until)) { row in
            ((0..<count).map { row.text(at: $0) }, Duration.microseconds(row.int64(at: count)))
        }
        let lookup = Dictionary(medianByGroup, uniquingKeysWith: { first, _ in first })
        for index in rows.indices {
            rows[index].totals.medianDuration = lookup[rows[index].groups]
        }
        return rows
    }

    /// The SQL of each group: fixed text, never anything a user typed.
    private static func expression(_ group: UsageGroup) -> String {
        switch group {
        case .key: "key_name"
        case .tenant: "tenant"
        case .model: "requested_model"
        case .servedModel: "served_model"
        case .provider: "provider"
        case .endpoint: "endpoint"
        case .day: "strftime('%Y-%m-%d', time_ms / 1000, 'unixepoch')"
        }
    }
}

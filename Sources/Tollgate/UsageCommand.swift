import ArgumentParser
import Foundation
import Gateway
import LedgerSQLite

/// `tollgate usage --db FILE`: the usage ledger's totals over a time range, grouped, as a table, CSV
/// or JSON. Reads the database only (it may be in use by a running `tollgate serve`); all SQL stays in
/// `LedgerSQLite`.
struct UsageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Report requests, tokens and cost from the usage ledger over a time range, grouped.",
        discussion: """
            Times are ISO 8601, in UTC unless a zone is given: 2025-03-01, 2025-03-01T12:00:00Z, \
            2025-03-01T14:00+02:00. The range is [--since, --until). Errors are responses with a status \
            of 400 or more, rejected are requests Tollgate refused itself, unpriced are requests with \
            tokens whose model has no price (their cost is not in cost_usd), and estimated are requests \
            whose token counts are not the provider's final ones (client abort, cut stream).
            """
    )

    @Option(help: ArgumentHelp("The ledger's SQLite file (storage.path in the config).", valueName: "file"))
    var db: String

    @Option(help: ArgumentHelp("Only requests at or after this time.", valueName: "iso8601"))
    var since: String?

    @Option(help: ArgumentHelp("Only requests of the last N days (N × 24 hours up to now).", valueName: "n"))
    var days: Int?

    @Option(help: ArgumentHelp("Only requests before this time.", valueName: "iso8601"))
    var until: String?

    @Option(
        name: .customLong("group-by"),
        help: ArgumentHelp(
            "Comma-separated: \(UsageGroup.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "groups"
        )
    )
    var groupBy = ""

    @Option(
        help: ArgumentHelp(
            "\(UsageReportFormat.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "format"
        )
    )
    var format = UsageReportFormat.table.rawValue

    func validate() throws {
        _ = try query(now: .epoch)
        if UsageReportFormat(rawValue: format) == nil {
            throw ValidationError(
                "--format: expected one of \(UsageReportFormat.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }

    /// The report's range and grouping; `now` is where `--days` counts back from.
    func query(now: UnixTime) throws -> UsageReportQuery {
        if since != nil && days != nil {
            throw ValidationError("--since and --days both set the start; give one")
        }
        var query = UsageReportQuery()
        if let since {
            guard let time = UnixTime(iso8601: since) else {
                throw ValidationError("--since: expected an ISO 8601 date or time such as 2025-03-01T12:00:00Z")
            }
            query.since = time
        }
        if let days {
            guard (1...36_500).contains(days) else {
                throw ValidationError("--days: expected a number of days in 1...36500")
            }
            query.since = now - .seconds(Int64(days) * 86_400)
        }
        if let until {
            guard let time = UnixTime(iso8601: until) else {
                throw ValidationError("--until: expected an ISO 8601 date or time such as 2025-03-31")
            }
            query.until = time
        }
        if let since = query.since, let until = query.until, until <= since {
            throw ValidationError("--until must be after the start of the range")
        }
        guard let groups = UsageGroup.parseList(groupBy) else {
            throw ValidationError(
                "--group-by: expected distinct names among \(UsageGroup.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        query.groupBy = groups
        return query
    }

    func run() throws {
        let query = try query(now: UnixTime.now())
        let report: UsageReport
        do {
            report = try LedgerStore(readingFrom: db).report(query)
        } catch {
            FileHandle.standardError.write(Data("tollgate usage: \(error)\n".utf8))
            throw ExitCode.failure
        }
        print(report.formatted(as: UsageReportFormat(rawValue: format) ?? .table), terminator: "")
    }
}

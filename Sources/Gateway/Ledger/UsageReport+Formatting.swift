/// How `tollgate usage` prints a report.
public enum UsageReportFormat: String, Sendable, CaseIterable {
    /// Aligned columns for a terminal, with a total line.
    case table
    /// RFC 4180, one line per group, for spreadsheets.
    case csv
    /// One object with the query, the rows and the total, for scripts.
    case json
}

extension UsageReport {
    /// The report as text in `format`, ending with a newline.
    public func formatted(as format: UsageReportFormat) -> String {
        switch format {
        case .table: table()
        case .csv: csv()
        case .json: json()
        }
    }

    /// The numeric columns, in print order, with the JSON/CSV name.
    private static let columns: [(name: String, value: @Sendable (UsageTotals) -> Value)] = [
        ("requests", { .integer(Int64($0.requests)) }),
        ("errors", { .integer(Int64($0.errors)) }),
        ("rejected", { .integer(Int64($0.rejected)) }),
        ("input_tokens", { .integer(Int64($0.inputTokens)) }),
        ("cached_input_tokens", { .integer(Int64($0.cachedInputTokens)) }),
        ("cache_creation_tokens", { .integer(Int64($0.cacheCreationInputTokens)) }),
        ("output_tokens", { .integer(Int64($0.outputTokens)) }),
        ("reasoning_tokens", { .integer(Int64($0.reasoningTokens)) }),
        ("cost_usd", { .dollars($0.costMicros) }),
        ("unpriced", { .integer(Int64($0.unpriced)) }),
        ("estimated", { .integer(Int64($0.estimated)) }),
        ("p50_duration_ms", { .milliseconds($0.medianDuration) }),
    ]

    private enum Value: Sendable {
        case integer(Int64)
        case dollars(Int64)
        case milliseconds(Duration?)

        /// As a JSON number (or null) and as table or CSV text: the same digits.
        var text: String? {
            switch self {
            case .integer(let value):
                return String(value)
            case .dollars(let micros):
                return MicroDollars.format(micros)
            case .milliseconds(let duration):
                guard let duration else {
                    return nil
                }
                let (seconds, attoseconds) = duration.components
                let tenths = seconds * 10_000 + attoseconds / 100_000_000_000_000
                return "\(tenths / 10).\(tenths % 10)"
            }
        }
    }

    private var groupNames: [String] {
        query.groupBy.map(\.rawValue)
    }

    private func table() -> String {
        let header = groupNames + Self.columns.map(\.name)
        var lines: [[String]] = rows.map { row in
            row.groups.map { $0 ?? "-" } + Self.columns.map { $0.value(row.totals).text ?? "-" }
        }
        let totalLine =
            (groupNames.isEmpty ? [] : ["TOTAL"] + Array(repeating: "", count: groupNames.count - 1))
            + Self.columns.map { $0.value(total).text ?? "-" }
        var widths = header.map(\.count)
        for line in lines + [totalLine] {
            for (index, cell) in line.enumerated() {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                // Group values read left to right; numbers line up on the right.
                return index < groupNames.count ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        var output = render(header) + "\n"
        if groupNames.isEmpty {
            // Without groups the only row is the total.
            lines = []
        }
        for line in lines {
            output += render(line) + "\n"
        }
        if !lines.isEmpty {
            output += String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)) + "\n"
        }
        output += render(totalLine) + "\n"
        return output
    }

    private func csv() -> String {
        var output = (groupNames + Self.columns.map(\.name)).joined(separator: ",") + "\r\n"
        let lines = groupNames.isEmpty ? [Row(groups: [], totals: total)] : rows
        for row in lines {
            let cells =
                row.groups.map { Self.csvField($0 ?? "") } + Self.columns.map { $0.value(row.totals).text ?? "" }
            output += cells.joined(separator: ",") + "\r\n"
        }
        return output
    }

    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return text
        }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    private func json() -> String {
        func object(_ groups: [String?], _ totals: UsageTotals) -> String {
            var members: [String] = zip(groupNames, groups).map { name, value in
                "\(Self.jsonString(name)):\(value.map(Self.jsonString) ?? "null")"
            }
            for column in Self.columns {
                members.append("\(Self.jsonString(column.name)):\(column.value(totals).text ?? "null")")
            }
            members.append("\"cost_micros\":\(totals.costMicros)")
            return "{" + members.joined(separator: ",") + "}"
        }
        let range = [
            "\"since\":\(query.since.map { Self.jsonString($0.description) } ?? "null")",
            "\"until\":\(query.until.map { Self.jsonString($0.description) } ?? "null")",
            "\"group_by\":[\(groupNames.map(Self.jsonString).joined(separator: ","))]",
        ]
        let rowObjects = rows.map { object($0.groups, $0.totals) }
        return "{" + range.joined(separator: ",") + ",\"rows\":[" + rowObjects.joined(separator: ",")
            + "],\"total\":" + object(groupNames.map { _ in nil }, total) + "}\n"
    }

    /// A JSON string literal (RFC 8259): quote, backslash and control characters escaped.
    private static func jsonString(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}

import Foundation
import Gateway
import LedgerSQLite
import Logging
import Telemetry
import Testing

@testable import TollgateServer

@Suite struct LedgerSectionsTests {
    private func diagnose(_ yaml: String, file: String = "/etc/tollgate/tollgate.yaml") -> ConfigDiagnosis {
        ConfigLoader.diagnose(yaml: yaml, file: file)
    }

    /// The errors of `yaml` as `line: message`.
    private func errors(_ yaml: String) -> [String] {
        diagnose(yaml).errors.map { "\($0.line.map(String.init) ?? "-"): \($0.message)" }
    }

    @Test func defaultsStoreNothing() {
        let config = diagnose("{}").config
        #expect(config.storage.path == nil)
        #expect(config.storage.busyTimeout == .seconds(5))
        #expect(config.ledger.enabled)
        #expect(config.ledger.settings == LedgerSettings())
        #expect(config.ledger.settings.batchWindow == .milliseconds(200))
        #expect(config.ledger.settings.batchMax == 512)
        #expect(config.ledger.settings.retentionDays == 90)
        #expect(config.prices.table.isEmpty)
    }

    @Test func readsEverySetting() {
        let diagnosis = diagnose(
            """
            storage:
              path: /var/lib/tollgate/tollgate.db
              busy_timeout_ms: 250
            ledger:
              enabled: false
              batch_window_ms: 50
              batch_max: 1000
              retention_days: 0
              queue_max: 5000
            prices:
              - model: gpt-4o-mini*
                input: 0.15
                output: 0.6
                cached_input: 0.075
              - model: claude-3-5-sonnet-latest
                input: 3
                output: "15.00"
                cached_input: 0.30
                cache_creation: 3.75
            """
        )
        #expect(diagnosis.errors.isEmpty)
        let config = diagnosis.config
        #expect(config.storage.path == "/var/lib/tollgate/tollgate.db")
        #expect(config.storage.busyTimeout == .milliseconds(250))
        #expect(!config.ledger.enabled)
        #expect(
            config.ledger.settings
                == LedgerSettings(batchWindow: .milliseconds(50), batchMax: 1000, retentionDays: 0, queueMax: 5000)
        )
        #expect(
            config.prices.table.price(for: "gpt-4o-mini-2024-07-18")
                == ModelPrice(
                    inputPerMillion: 150_000,
                    outputPerMillion: 600_000,
                    cachedInputPerMillion: 75_000,
                    cacheCreationPerMillion: 150_000
                )
        )
        #expect(
            config.prices.table.price(for: "claude-3-5-sonnet-latest")
                == ModelPrice(
                    inputPerMillion: 3_000_000,
                    outputPerMillion: 15_000_000,
                    cachedInputPerMillion: 300_000,
                    cacheCreationPerMillion: 3_750_000
                )
        )
    }

    @Test func aRelativeStoragePathIsTakenFromTheConfigFilesDirectory() {
        #expect(
            diagnose("storage: { path: state/tollgate.db }").config.storage.path == "/etc/tollgate/state/tollgate.db"
        )
        #expect(
            diagnose("storage: { path: tollgate.db }", file: "tollgate.yaml").config.storage.path == "tollgate.db"
        )
    }

    @Test func badValuesAreReportedWithTheirLines() {
        #expect(
            errors(
                """
                storage:
                  path: 12/
                  busy_timeout_ms: -1
                """
            ) == ["2: storage.path: expected a file path, got '12/'"]
        )
        #expect(
            errors(
                """
                ledger:
                  batch_window_ms: 0
                """
            ) == ["2: ledger.batch_window_ms: expected an integer in 1...60000, got '0'"]
        )
        #expect(
            errors("ledger: { enabled: yes please }")
                == ["1: ledger.enabled: expected true or false, got 'yes please'"]
        )
        #expect(
            errors("ledger: { retention: 30 }").first?.hasPrefix("1: unknown key 'ledger.retention'") == true
        )
    }

    @Test func badPricesAreReportedEachWithItsLine() {
        let found = errors(
            """
            prices:
              - model: a
                input: 1.5
                output: 2
              - model: a
                input: 1
                output: 1
              - model: b
                input: -1
                output: 1
              - model: c
                input: 0.0000001
                output: 1
              - model: d
                output: 1
              - model: e
                input: 1
                output: 1
                cached: 1
            """
        )
        #expect(
            found == [
                "5: prices[1].model: 'a' already has a price (line 2)",
                "9: prices[2].input: expected dollars per million tokens, such as 2.50 (at most 6 decimals), got '-1'",
                "12: prices[3].input: expected dollars per million tokens, such as 2.50 (at most 6 decimals), got '0.0000001'",
                "14: prices[4]: missing 'input'",
                "19: unknown key 'prices[5].cached'; expected one of: model, input, output, cached_input, cache_creation",
            ]
        )
        // The entries without errors are kept.
        #expect(
            diagnose("prices: [{ model: a, input: 1, output: 2 }, { model: b }]").config.prices.table.entries.count == 1
        )
    }
}

@Suite struct LedgerStartupTests {
    @Test func theConfigOpensItsLedgerOrNone() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tollgate-ledger-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("tollgate.yaml").path
        let registry = MetricsRegistry()
        let logger = Logger(label: "test")

        #expect(
            try ConfigLoader.parse(yaml: "{}", file: file).makeUsageLedger(registry: registry, logger: logger) == nil
        )
        let disabled = try ConfigLoader.parse(yaml: "storage: { path: t.db }\nledger: { enabled: false }", file: file)
        #expect(try disabled.makeUsageLedger(registry: registry, logger: logger) == nil)

        let config = try ConfigLoader.parse(
            yaml: "storage: { path: t.db }\nledger: { batch_window_ms: 10 }",
            file: file
        )
        let ledger = try #require(try config.makeUsageLedger(registry: registry, logger: logger))
        #expect(ledger.settings.batchWindow == .milliseconds(10))
        ledger.record(UsageRecord(time: UnixTime(seconds: 1), requestID: "r", status: 200))
        #expect(ledger.shutdown() == 0)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("t.db").path))
        #expect(registry.counter("tollgate_ledger_records_total", help: "").value == 1)

        let broken = try ConfigLoader.parse(yaml: "storage: { path: no/such/dir/t.db }", file: file)
        #expect(throws: SQLiteError.self) { try broken.makeUsageLedger(registry: registry, logger: logger) }
    }
}

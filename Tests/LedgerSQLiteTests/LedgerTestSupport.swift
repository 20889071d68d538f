import Foundation
import Gateway
import InMemoryLogging
import LedgerSQLite
import Logging
import Telemetry

/// A fresh directory under the system's temporary directory, removed with everything in it when the
/// value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String {
        "\(path)/\(name)"
    }
}

/// Records with every field set, varied by `index`, for round trips and reports.
enum SampleRecords {
    static let start = UnixTime(iso8601: "2025-03-01T10:00:00Z")!

    static func record(_ index: Int, time: UnixTime? = nil) -> UsageRecord {
        UsageRecord(
            time: time ?? start + .seconds(index),
            requestID: "req-\(index)",
            keyName: "key-\(index % 3)",
            tenant: index % 2 == 0 ? "acme" : "globex",
            endpoint: "/v1/chat/completions",
            requestedModel: index % 4 == 0 ? "claude" : "gpt-4o-mini",
            servedModel: index % 4 == 0 ? "claude-3-5-sonnet-20241022" : "gpt-4o-mini-2024-07-18",
            provider: index % 4 == 0 ? "anthropic" : "openai",
            backend: index % 4 == 0 ? "claude/0" : "gpt-4o-mini/0",
            attempts: 1 + index % 2,
            status: 200,
            isStream: index % 2 == 1,
            inputTokens: 1000 + index,
            outputTokens: 200 + index,
            cachedInputTokens: index % 5 == 0 ? 512 : 0,
            cacheCreationInputTokens: index % 7 == 0 ? 64 : 0,
            reasoningTokens: index % 3 == 0 ? 50 : 0,
            costMicros: Int64(1500 + index),
            timeToFirstToken: index % 2 == 1 ? .microseconds(150_000 + index) : nil,
            duration: .microseconds(900_000 + Int64(index) * 1000),
            isEstimated: index % 11 == 0
        )
    }

    static func rejection(_ index: Int, reason: String = "invalid_key", status: Int = 401) -> UsageRecord {
        UsageRecord(
            time: start + .seconds(index),
            requestID: "rejected-\(index)",
            endpoint: "/v1/chat/completions",
            requestedModel: nil,
            status: status,
            rejectionReason: reason,
            costMicros: 0,
            duration: .microseconds(120)
        )
    }
}

/// A logger writing into `InMemoryLogHandler`, plus the registry the writer's metrics go to.
struct LedgerHarness {
    let directory: TemporaryDirectory
    let registry = MetricsRegistry()
    let logs = InMemoryLogHandler()
    let logger: Logger
    var path: String { directory.file("tollgate.db") }

    init() throws {
        directory = try TemporaryDirectory()
        let logs = self.logs
        var logger = Logger(label: "ledger-test") { _ in logs }
        logger.logLevel = .debug
        self.logger = logger
    }

    func counter(_ name: String, _ labels: [(String, String)] = []) -> Int {
        registry.counter(name, help: "", labels: labels).value
    }

    var queueDepth: Int {
        registry.gauge("tollgate_ledger_queue_depth", help: "").value
    }

    /// Polls `condition` every 10 ms for up to `timeout`; whether it became true.
    func eventually(timeout: Duration = .seconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if try condition() {
                return true
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return try condition()
    }
}

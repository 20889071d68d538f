import Foundation
import Gateway
import InMemoryLogging
import Logging
import Synchronization
import Telemetry
import Testing

@testable import LedgerSQLite

@Suite(.serialized) struct LedgerWriterTests {
    private static let fastTuning = LedgerWriter.Tuning(
        initialBackoff: .milliseconds(20),
        maximumBackoff: .milliseconds(100),
        logInterval: .seconds(60)
    )

    private func makeWriter(
        _ harness: LedgerHarness,
        settings: LedgerSettings,
        busyTimeout: Duration = .milliseconds(20),
        wallClock: @escaping @Sendable () -> UnixTime = { UnixTime.now() }
    ) throws -> (LedgerWriter, SQLiteConnection) {
        let store = try LedgerStore(path: harness.path, busyTimeout: busyTimeout)
        let writer = LedgerWriter(
            store: store,
            settings: settings,
            registry: harness.registry,
            logger: harness.logger,
            wallClock: wallClock,
            tuning: Self.fastTuning
        )
        return (writer, store.connection)
    }

    @Test func concurrentProducersLoseNothing() throws {
        let harness = try LedgerHarness()
        let (writer, _) = try makeWriter(
            harness,
            settings: LedgerSettings(batchWindow: .milliseconds(20), batchMax: 256, retentionDays: 0)
        )
        let producers = 8
        let perProducer = 5000
        DispatchQueue.concurrentPerform(iterations: producers) { producer in
            for index in 0..<perProducer {
                writer.record(SampleRecords.record(producer * perProducer + index))
            }
        }
        #expect(writer.shutdown() == 0)
        let store = try LedgerStore(readingFrom: harness.path)
        let ids = Set(try store.records().map(\.requestID))
        #expect(ids.count == producers * perProducer)
        #expect(try store.count() == producers * perProducer)
        #expect(harness.counter("tollgate_ledger_records_total") == producers * perProducer)
        #expect(harness.queueDepth == 0)
        #expect(harness.counter("tollgate_ledger_dropped_total", [("reason", "queue_full")]) == 0)
        #expect(harness.logs.entries.filter { $0.level >= .warning }.isEmpty)
    }

    /// What `record(_:)` costs the request path, printed for the record (the bound is loose: CI
    /// machines are shared).
    @Test func recordCost() throws {
        let harness = try LedgerHarness()
        let (writer, _) = try makeWriter(
            harness,
            settings: LedgerSettings(
                batchWindow: .milliseconds(200),
                batchMax: 512,
                retentionDays: 0,
                queueMax: 1_000_000
            )
        )
        let records = (0..<200_000).map { SampleRecords.record($0) }
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            DispatchQueue.concurrentPerform(iterations: 2) { half in
                for record in records[(half * 100_000)..<((half + 1) * 100_000)] {
                    writer.record(record)
                }
            }
        }
        let nanoseconds = Double(elapsed.components.attoseconds) / 1e9 + Double(elapsed.components.seconds) * 1e9
        print("ledger record(): \(Int(nanoseconds / 200_000)) ns per record, 2 threads, writer committing meanwhile")
        #expect(elapsed < .seconds(10))
        #expect(writer.shutdown() == 0)
        #expect(try LedgerStore(readingFrom: harness.path).count() == 200_000)
    }

    @Test func recordingNeverWaitsForTheDatabase() throws {
        let harness = try LedgerHarness()
        let (writer, _) = try makeWriter(
            harness,
            settings: LedgerSettings(batchWindow: .milliseconds(10), batchMax: 64, retentionDays: 0)
        )
        // Another connection holds the write lock the whole time: every commit fails and is retried.
        let blocker = try SQLiteConnection(path: harness.path)
        try blocker.execute("BEGIN IMMEDIATE")
        let clock = ContinuousClock()
        var slowest = Duration.zero
        for index in 0..<20_000 {
            let start = clock.now
            writer.record(SampleRecords.record(index))
            slowest = max(slowest, clock.now - start)
        }
        // An append under an uncontended lock; generous for a loaded 2-core machine.
        #expect(slowest < .milliseconds(50))
        try blocker.execute("COMMIT")
        #expect(writer.shutdown() == 0)
        #expect(try LedgerStore(readingFrom: harness.path).count() == 20_000)
    }

    @Test func aFullBatchIsWrittenBeforeTheWindowEnds() throws {
        let harness = try LedgerHarness()
        let (writer, _) = try makeWriter(
            harness,
            settings: LedgerSettings(batchWindow: .seconds(60), batchMax: 100, retentionDays: 0)
        )
        for index in 0..<100 {
            writer.record(SampleRecords.record(index))
        }
        let reader = try LedgerStore(readingFrom: harness.path)
        #expect(try harness.eventually { try reader.count() == 100 })
        // Fewer than a batch wait for the window (a minute), or for shutdown.
        for index in 100..<130 {
            writer.record(SampleRecords.record(index))
        }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try reader.count() == 100)
        #expect(writer.waiting == 30)
        #expect(harness.queueDepth == 30)
        #expect(writer.shutdown() == 0)
        #expect(try reader.count() == 130)
    }

    @Test func theWindowFlushesASmallBatch() throws {
        let harness = try LedgerHarness()
        let (writer, _) = try makeWriter(
            harness,
            settings: LedgerSettings(batchWindow: .milliseconds(100), batchMax: 10_000, retentionDays: 0)
        )
        let reader = try LedgerStore(readingFrom: harness.path)
        let start = ContinuousClock.now
        writer.record(SampleRecords.record(1))
        #expect(try harness.eventually { try reader.count() == 1 })
        #expect(ContinuousClock.now - start < .milliseconds(1000))
        writer.shutdown()
    }

    @Test func shutdownDrainsEverything() throws {
        let harness = try LedgerHarness()
        let (writer, _) = try makeWriter(
            harness,
            settings: LedgerSettings(batchWindow: .seconds(3600), batchMax: 1_000_000, retentionDays: 0)
        )
        for index in 0..<3000 {
            writer.record(SampleRecords.record(index))
        }
        #expect(try LedgerStore(readingFrom: harness.path).count() == 0)
        #expect(writer.shutdown() == 0)
        #expect(writer.shutdown() == 0)
        #expect(try LedgerStore(readingFrom: harness.path).records() == (0..<3000).map { SampleRecords.record($0) })
        // After shutdown a record is refused, counted and logged, not silently lost.
        writer.record(SampleRecords.record(9999))
        #expect(harness.counter("tollgate_ledger_dropped_total", [("reason", "shut_down")]) == 1)
        #expect(harness.logs.entries.contains { $0.level == .error && "\($0.message)".contains("after shutdown") })
    }

    @Test func aLockedDatabaseIsRetriedUntilItIsFree() throws {
        let harness = try LedgerHarness()
        let (writer, _) = try makeWriter(
            harness,
            settings: LedgerSettings(batchWindow: .milliseconds(10), batchMax: 100, retentionDays: 0)
        )
        let blocker = try SQLiteConnection(path: harness.path)
        try blocker.execute("BEGIN IMMEDIATE")
        for index in 0..<500 {
            writer.record(SampleRecords.record(index))
        }
        #expect(harness.eventually { harness.counter("tollgate_ledger_errors_total", [("kind", "busy")]) >= 3 })
        #expect(writer.flush(timeout: .milliseconds(100)) == false)
        #expect(try LedgerStore(readingFrom: harness.path).count() == 0)
        #expect(writer.waiting == 500)
        #expect(harness.queueDepth == 500)
        try blocker.execute("COMMIT")
        #expect(writer.flush())
        #expect(try LedgerStore(readingFrom: harness.path).records() == (0..<500).map { SampleRecords.record($0) })
        #expect(harness.counter("tollgate_ledger_records_total") == 500)
        #expect(harness.queueDepth == 0)
        // Logged once when it started failing (not once per retry), and once when it recovered;
        // with SQLite's message, never a record's content.
        let errors = harness.logs.entries.filter { $0.level == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.metadata["kind"] == "busy")
        #expect(harness.logs.entries.contains { "\($0.message)" == "ledger writes recovered" })
        #expect(!harness.logs.entries.contains { "\($0.message) \($0.metadata)".contains("req-") })
        writer.shutdown()
    }

    @Test func aFullDiskIsRetriedUntilThereIsRoom() throws {
        let harness = try LedgerHarness()
        let (writer, connection) = try makeWriter(
            harness,
            settings: LedgerSettings(batchWindow: .milliseconds(10), batchMax: 500, retentionDays: 0)
        )
        // The writer's own connection stops growing the file: SQLITE_FULL, as on a full disk.
        // (SQLite connections are serialized: calling one from this thread while the writer uses it
        // is safe, which `isThreadSafe` checks.)
        #expect(SQLiteConnection.isThreadSafe)
        try connection.pragma("max_page_count", try connection.pragma("page_count") ?? "1")
        for index in 0..<2000 {
            writer.record(SampleRecords.record(index))
        }
        #expect(harness.eventually { harness.counter("tollgate_ledger_errors_total", [("kind", "full")]) >= 2 })
        try connection.pragma("max_page_count", "1000000000")
        #expect(writer.flush())
        #expect(try LedgerStore(readingFrom: harness.path).count() == 2000)
        writer.shutdown()
    }

    @Test func overTheQueueCapRecordsAreDroppedCountedAndLogged() throws {
        let harness = try LedgerHarness()
        let (writer, _) = try makeWriter(
            harness,
            settings: LedgerSettings(batchWindow: .milliseconds(10), batchMax: 10, retentionDays: 0, queueMax: 100)
        )
        let blocker = try SQLiteConnection(path: harness.path)
        try blocker.execute("BEGIN IMMEDIATE")
        for index in 0..<130 {
            writer.record(SampleRecords.record(index))
        }
        #expect(harness.counter("tollgate_ledger_dropped_total", [("reason", "queue_full")]) == 30)
        #expect(writer.waiting == 100)
        #expect(
            harness.eventually {
                harness.logs.entries.contains {
                    "\($0.message)".contains("queue full") && $0.metadata["dropped"] == "30"
                }
            }
        )
        try blocker.execute("COMMIT")
        #expect(writer.shutdown() == 0)
        #expect(try LedgerStore(readingFrom: harness.path).records() == (0..<100).map { SampleRecords.record($0) })
    }

    @Test func shutdownGivesUpAtItsTimeoutAndSaysHowManyWereLost() throws {
        let harness = try LedgerHarness()
        let (writer, _) = try makeWriter(
            harness,
            settings: LedgerSettings(batchWindow: .milliseconds(10), batchMax: 10, retentionDays: 0)
        )
        let blocker = try SQLiteConnection(path: harness.path)
        try blocker.execute("BEGIN IMMEDIATE")
        for index in 0..<42 {
            writer.record(SampleRecords.record(index))
        }
        let start = ContinuousClock.now
        #expect(writer.shutdown(timeout: .milliseconds(300)) == 42)
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(harness.counter("tollgate_ledger_dropped_total", [("reason", "shutdown_timeout")]) == 42)
        #expect(harness.queueDepth == 0)
        #expect(harness.logs.entries.contains { $0.level == .critical && $0.metadata["lost"] == "42" })
        try blocker.execute("ROLLBACK")
    }

    @Test func retentionRunsOnTheWriterWithItsClock() throws {
        let harness = try LedgerHarness()
        let now = UnixTime(iso8601: "2025-06-01T00:00:00Z")!
        do {
            let store = try LedgerStore(path: harness.path)
            try store.insert((0..<100).map { SampleRecords.record($0, time: now - .seconds(Int64($0) * 86_400)) })
        }
        let (writer, _) = try makeWriter(
            harness,
            settings: LedgerSettings(batchWindow: .milliseconds(10), batchMax: 100, retentionDays: 30),
            wallClock: { now }
        )
        let reader = try LedgerStore(readingFrom: harness.path)
        // Rows 0 to 29 are within 30 days; row 30 is exactly 30 days old and so not older.
        #expect(try harness.eventually { try reader.count() == 31 })
        #expect(harness.counter("tollgate_ledger_retention_deleted_total") == 69)
        writer.record(SampleRecords.record(0, time: now))
        writer.shutdown()
        #expect(try reader.count() == 32)
    }

    @Test func aBrokenPathFailsAtStartup() throws {
        let harness = try LedgerHarness()
        #expect(throws: SQLiteError.self) {
            try LedgerWriter(
                path: harness.directory.file("no/such/dir/tollgate.db"),
                registry: harness.registry,
                logger: harness.logger
            )
        }
    }
}

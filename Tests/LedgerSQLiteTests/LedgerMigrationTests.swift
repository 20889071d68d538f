import Foundation
import Gateway
import Testing

@testable import LedgerSQLite

@Suite struct LedgerMigrationTests {
    private func indexes(_ connection: SQLiteConnection) throws -> Set<String> {
        Set(
            try connection.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage'")
                .query { $0.text(at: 0) ?? "" }
        )
    }

    @Test func anEmptyFileGetsTheWholeSchema() throws {
        let directory = try TemporaryDirectory()
        let store = try LedgerStore(path: directory.file("new.db"))
        #expect(try store.connection.schemaVersion("ledger") == LedgerSchema.currentVersion)
        #expect(LedgerSchema.currentVersion == 2)
        #expect(try indexes(store.connection) == ["usage_time", "usage_key_time", "usage_model_time"])
        #expect(try store.connection.pragma("journal_mode") == "wal")
        #expect(try store.count() == 0)
        // Opening again applies nothing.
        #expect(try store.connection.migrate("ledger", LedgerSchema.migrations) == (2, 2))
    }

    @Test func aVersionOneDatabaseIsUpgradedWithItsRows() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("v1.db")
        do {
            // The database as the first release left it.
            let old = try SQLiteConnection(path: path)
            try old.enableWriteAheadLog()
            #expect(try old.migrate("ledger", Array(LedgerSchema.migrations.prefix(1))) == (0, 1))
            #expect(try indexes(old) == ["usage_time"])
            try LedgerStore(connection: old).insert((0..<10).map { SampleRecords.record($0) })
        }
        let store = try LedgerStore(path: path)
        #expect(try store.connection.schemaVersion("ledger") == 2)
        #expect(try indexes(store.connection) == ["usage_time", "usage_key_time", "usage_model_time"])
        #expect(try store.records() == (0..<10).map { SampleRecords.record($0) })
    }

    @Test func aFailingMigrationLeavesTheOldVersion() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("a.db"))
        try connection.migrate("thing", ["CREATE TABLE a (v INTEGER)"])
        #expect(throws: SQLiteError.self) {
            try connection.migrate(
                "thing",
                ["CREATE TABLE a (v INTEGER)", "CREATE TABLE b (v INTEGER); CREATE TABLE nonsense ("]
            )
        }
        #expect(try connection.schemaVersion("thing") == 1)
        // The half of migration 2 that ran was rolled back with it.
        #expect(
            try connection.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").query { $0.text(at: 0) }.isEmpty
        )
    }

    @Test func componentsSharingTheFileMigrateOnTheirOwn() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("shared.db")
        let store = try LedgerStore(path: path)
        // The limiter's tables in the same file, at their own version.
        #expect(try store.connection.migrate("ratelimit", ["CREATE TABLE counters (id TEXT PRIMARY KEY)"]) == (0, 1))
        #expect(try store.connection.schemaVersion("ledger") == 2)
        #expect(try store.connection.schemaVersion("ratelimit") == 1)
        let reopened = try LedgerStore(path: path)
        #expect(try reopened.connection.schemaVersion("ratelimit") == 1)
    }

    @Test func aNewerSchemaIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("future.db")
        do {
            let future = try SQLiteConnection(path: path)
            try future.migrate("ledger", LedgerSchema.migrations + ["CREATE TABLE from_the_future (v INTEGER)"])
        }
        #expect(throws: SQLiteError.schemaTooNew(component: "ledger", version: 3, known: 2)) {
            try LedgerStore(path: path)
        }
        #expect(throws: SQLiteError.schemaTooNew(component: "ledger", version: 3, known: 2)) {
            try LedgerStore(readingFrom: path)
        }
    }

    @Test func readingAFileWithoutLedgerTablesIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("other.db")
        do {
            let other = try SQLiteConnection(path: path)
            try other.execute("CREATE TABLE t (v INTEGER)")
        }
        #expect(throws: SQLiteError.schemaMissing(component: "ledger")) {
            try LedgerStore(readingFrom: path)
        }
        #expect(throws: SQLiteError.self) {
            try LedgerStore(readingFrom: directory.file("absent.db"))
        }
    }
}

import Foundation
import Testing

@testable import LedgerSQLite

@Suite struct SQLiteConnectionTests {
    @Test func bindsAndReadsEveryStorageClass() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("a.db"))
        try connection.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT)")
        let insert = try connection.prepare("INSERT INTO t VALUES (?1, ?2, ?3)")
        try insert.run([.integer(Int64.max), .real(2.5), .text("héllo \u{0}wörld")])
        try insert.run([.null, .null, .text("")])
        try insert.run([.integer(-1), .real(-0.5), .null])
        let rows = try connection.prepare("SELECT i, r, s FROM t ORDER BY rowid").query { row in
            (row.optionalInt64(at: 0), row.double(at: 1), row.text(at: 2))
        }
        #expect(rows.count == 3)
        #expect(rows[0].0 == Int64.max && rows[0].1 == 2.5 && rows[0].2 == "héllo \u{0}wörld")
        // The empty string stays a string, distinct from NULL.
        #expect(rows[1].0 == nil && rows[1].1 == nil && rows[1].2 == "")
        #expect(rows[2].0 == -1 && rows[2].1 == -0.5 && rows[2].2 == nil)
    }

    @Test func cachedStatementsAreResetBetweenUses() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("a.db"))
        try connection.execute("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2), (3)")
        let first = try connection.statement("SELECT v FROM t ORDER BY v")
        #expect(try first.step())
        #expect(first.int64(at: 0) == 1)
        // Asking again returns the same statement, from the start, although it was left mid-way.
        let second = try connection.statement("SELECT v FROM t ORDER BY v")
        #expect(first === second)
        #expect(try second.query { $0.int64(at: 0) } == [1, 2, 3])
    }

    @Test func errorsAreClassifiedByResultCode() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("a.db"))
        try connection.execute("CREATE TABLE t (v INTEGER NOT NULL UNIQUE)")
        #expect(throws: SQLiteError.self) { try connection.prepare("SELEKT 1") }
        do {
            _ = try connection.prepare("SELEKT 1")
        } catch {
            guard case .other(let code, let message) = error else {
                Issue.record("expected .other, got \(error)")
                return
            }
            #expect(code == 1)
            #expect(message.contains("syntax error"))
        }
        try connection.prepare("INSERT INTO t VALUES (1)").run()
        do {
            try connection.prepare("INSERT INTO t VALUES (?1)").run([.integer(1)])
            Issue.record("a duplicate should fail")
        } catch {
            #expect(error.kind == "constraint")
            // The message names the constraint, never the bound value.
            #expect(!error.description.contains(" 1"))
        }
        #expect(throws: SQLiteError.self) {
            try SQLiteConnection(path: directory.file("missing/dir/a.db"))
        }
        do {
            _ = try SQLiteConnection(path: directory.file("absent.db"), mode: .readWrite)
        } catch {
            #expect(error.kind == "cantopen")
        }
    }

    @Test func transactionsCommitOrRollBackWhole() throws {
        let directory = try TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("a.db"))
        try connection.execute("CREATE TABLE t (v INTEGER NOT NULL)")
        try connection.transaction { () throws(SQLiteError) in
            try connection.prepare("INSERT INTO t VALUES (1)").run()
        }
        #expect(throws: SQLiteError.self) {
            try connection.transaction { () throws(SQLiteError) in
                try connection.prepare("INSERT INTO t VALUES (2)").run()
                try connection.prepare("INSERT INTO t VALUES (NULL)").run()
            }
        }
        #expect(connection.isAutocommit)
        #expect(try connection.prepare("SELECT v FROM t").query { $0.int64(at: 0) } == [1])
    }

    @Test func writeAheadLogAndReadOnlyConnections() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("a.db")
        let writer = try SQLiteConnection(path: path)
        try writer.enableWriteAheadLog()
        #expect(try writer.pragma("journal_mode") == "wal")
        #expect(try writer.pragma("synchronous") == "1")
        try writer.execute("CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (7)")
        let reader = try SQLiteConnection(path: path, mode: .readOnly)
        #expect(try reader.prepare("SELECT v FROM t").query { $0.int64(at: 0) } == [7])
        do {
            try reader.execute("INSERT INTO t VALUES (8)")
            Issue.record("a read-only connection wrote")
        } catch {
            #expect(error.kind == "readonly")
        }
        // A reader in WAL mode does not block the writer, nor see its uncommitted rows.
        try writer.execute("BEGIN IMMEDIATE; INSERT INTO t VALUES (9)")
        #expect(try reader.prepare("SELECT COUNT(*) FROM t").query { $0.int64(at: 0) } == [1])
        try writer.execute("COMMIT")
        #expect(try reader.prepare("SELECT COUNT(*) FROM t").query { $0.int64(at: 0) } == [2])
    }

    @Test func aSecondWriterIsBusyAfterTheTimeout() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("a.db")
        let first = try SQLiteConnection(path: path)
        try first.enableWriteAheadLog()
        try first.execute("CREATE TABLE t (v INTEGER)")
        let second = try SQLiteConnection(path: path, busyTimeout: .milliseconds(50))
        try first.execute("BEGIN IMMEDIATE")
        let start = ContinuousClock.now
        do {
            try second.transaction { () throws(SQLiteError) in
                try second.prepare("INSERT INTO t VALUES (1)").run()
            }
            Issue.record("the second writer got the lock")
        } catch {
            #expect(error.kind == "busy")
            #expect(ContinuousClock.now - start >= .milliseconds(40))
        }
        try first.execute("COMMIT")
        try second.transaction { () throws(SQLiteError) in
            try second.prepare("INSERT INTO t VALUES (1)").run()
        }
        #expect(SQLiteConnection.isThreadSafe)
    }

    @Test func statementsMayOutliveTheirConnection() throws {
        let directory = try TemporaryDirectory()
        var connection: SQLiteConnection? = try SQLiteConnection(path: directory.file("a.db"))
        let statement = try connection!.prepare("SELECT 41 + 1")
        connection = nil
        #expect(try statement.query { $0.int64(at: 0) } == [42])
    }
}

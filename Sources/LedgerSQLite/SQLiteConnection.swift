private import CSQLite

/// One open SQLite database: the only owner of a `sqlite3*` in Tollgate.
///
/// A connection is used by one thread at a time and is not `Sendable`: the ledger writer opens its
/// own on its thread, the limiter's store its own, `tollgate usage` its own. Several connections to
/// one file are how SQLite shares it between them (WAL mode: readers never wait for the writer, and
/// writers take turns, each waiting up to the busy timeout before `SQLiteError.busy`).
///
/// Statements made by `statement(_:)` are prepared once and cached; those from `prepare(_:)` belong
/// to the caller. Either kind is finalized in its own `deinit`; the connection closes with
/// `sqlite3_close_v2`, which waits for the last statement, so the order of release does not matter.
/// Every call that can fail throws `SQLiteError`, mapped from SQLite's result code in one place.
public final class SQLiteConnection {
    /// How the file is opened.
    public enum Mode: Sendable {
        /// Reading only; the file must exist.
        case readOnly
        /// Reading and writing; the file must exist.
        case readWrite
        /// Reading and writing; an absent file is created (not its directory).
        case readWriteCreate
    }

    public let path: String
    private let handle: OpaquePointer
    private var cache: [String: SQLiteStatement] = [:]

    /// Opens `path` with extended result codes and `busyTimeout` as SQLite's busy handler.
    public init(path: String, mode: Mode = .readWriteCreate, busyTimeout: Duration = .seconds(5)) throws(SQLiteError) {
        let flags: Int32
        switch mode {
        case .readOnly: flags = SQLITE_OPEN_READONLY
        case .readWrite: flags = SQLITE_OPEN_READWRITE
        case .readWriteCreate: flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened, flags | SQLITE_OPEN_EXRESCODE, nil)
        guard code == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(opened)
            throw SQLiteError(resultCode: code, message: "\(message) (\(path))")
        }
        self.path = path
        self.handle = opened
        let (seconds, attoseconds) = busyTimeout.components
        let milliseconds = min(Int64(Int32.max), seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        sqlite3_busy_timeout(opened, Int32(max(0, milliseconds)))
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements separated by semicolons, without parameters or results:
    /// schema changes, pragmas, `BEGIN`/`COMMIT`.
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        if code != SQLITE_OK {
            throw SQLiteError(resultCode: code, message: message.map { String(cString: $0) } ?? lastMessage)
        }
    }

    /// A new prepared statement, finalized when the caller releases it.
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw SQLiteError(resultCode: code == SQLITE_OK ? SQLITE_MISUSE : code, message: lastMessage)
        }
        return SQLiteStatement(handle: statement)
    }

    /// The statement for `sql`, prepared on first use and kept for the connection's life, reset and
    /// with its bindings cleared: for statements run again and again (the ledger's INSERT).
    public func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = cache[sql] {
            cached.reset()
            return cached
        }
        let prepared = try prepare(sql)
        cache[sql] = prepared
        return prepared
    }

    /// Runs `body` in a transaction that takes the write lock at once (`BEGIN IMMEDIATE`, so a busy
    /// database fails at the start rather than halfway), committing when it returns and rolling back
    /// when it throws. A failed COMMIT is rolled back too, so after an error nothing of `body` stays.
    public func transaction<Result>(_ body: () throws(SQLiteError) -> Result) throws(SQLiteError) -> Result {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            rollbackIfOpen()
            throw error
        }
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int {
        Int(sqlite3_changes64(handle))
    }

    /// Whether no transaction is open.
    public var isAutocommit: Bool {
        sqlite3_get_autocommit(handle) != 0
    }

    /// Switches the file to write-ahead logging with `synchronous=NORMAL`, and checks that it took.
    ///
    /// WAL lets readers (reports, the limiter) run while the ledger writes, and each commit is one
    /// append to the log. With `synchronous=NORMAL` a commit is durable once `COMMIT` returns as far
    /// as the process is concerned (SIGKILL loses nothing committed); only a power loss or kernel
    /// crash can roll back the last commits before a checkpoint.
    public func enableWriteAheadLog() throws(SQLiteError) {
        let mode = try pragma("journal_mode", "WAL")
        guard mode?.lowercased() == "wal" else {
            throw SQLiteError.other(
                code: SQLITE_ERROR,
                message: "cannot switch \(path) to WAL (journal mode \(mode ?? "?"))"
            )
        }
        try execute("PRAGMA synchronous = NORMAL")
    }

    /// `PRAGMA name` or `PRAGMA name = value`, returning the first column of the first row, if any.
    @discardableResult
    public func pragma(_ name: String, _ value: String? = nil) throws(SQLiteError) -> String? {
        let statement = try prepare(value.map { "PRAGMA \(name) = \($0)" } ?? "PRAGMA \(name)")
        guard try statement.step() else {
            return nil
        }
        return statement.text(at: 0)
    }

    private var lastMessage: String {
        String(cString: sqlite3_errmsg(handle))
    }

    private func rollbackIfOpen() {
        // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR); then there is
        // nothing left to roll back.
        if sqlite3_get_autocommit(handle) == 0 {
            sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
        }
    }

    /// Whether this SQLite was built thread-safe (`SQLITE_THREADSAFE` 1 or 2), which separate
    /// connections on separate threads need.
    public static var isThreadSafe: Bool {
        sqlite3_threadsafe() != 0
    }

    /// The SQLite library's version, such as `3.40.1`.
    public static var libraryVersion: String {
        String(cString: sqlite3_libversion())
    }
}

private import CSQLite

/// One prepared statement, owned by this object and finalized in its `deinit`.
///
/// Parameters are numbered from 1 as in SQL (`?1`, or in order of the `?`s); result columns from 0.
/// Column readers are valid after `step()` returned true and until the next `step()` or `reset()`.
/// Text is bound as a copy (`SQLITE_TRANSIENT`), so the Swift string need not outlive the call.
///
/// It holds no reference to its `SQLiteConnection`: `sqlite3_close_v2` keeps the database open until
/// the last statement is finalized, so either may be released first.
public final class SQLiteStatement {
    private let handle: OpaquePointer

    /// Takes ownership of a statement from `sqlite3_prepare_v2`.
    init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Ready to run again from the start, with every parameter NULL.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    public func bind(_ value: Int64?, at index: Int) throws(SQLiteError) {
        guard let value else {
            return try check(sqlite3_bind_null(handle, Int32(index)))
        }
        try check(sqlite3_bind_int64(handle, Int32(index), value))
    }

    public func bind(_ value: Int?, at index: Int) throws(SQLiteError) {
        try bind(value.map(Int64.init), at: index)
    }

    public func bind(_ value: Bool, at index: Int) throws(SQLiteError) {
        try bind(value ? 1 : 0 as Int64, at: index)
    }

    public func bind(_ value: Double?, at index: Int) throws(SQLiteError) {
        guard let value else {
            return try check(sqlite3_bind_null(handle, Int32(index)))
        }
        try check(sqlite3_bind_double(handle, Int32(index), value))
    }

    public func bind(_ value: String?, at index: Int) throws(SQLiteError) {
        guard let value else {
            return try check(sqlite3_bind_null(handle, Int32(index)))
        }
        var text = value
        let code = text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { characters in
                guard let start = characters.baseAddress else {
                    // An empty buffer may have no address; SQLite needs one for '' (a null pointer is NULL).
                    return sqlite3_bind_text(handle, Int32(index), "", 0, transient)
                }
                return sqlite3_bind_text(handle, Int32(index), start, Int32(characters.count), transient)
            }
        }
        try check(code)
    }

    /// Binds `values` to parameters 1, 2, ... in order, after a `reset()`.
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        reset()
        for (offset, value) in values.enumerated() {
            switch value {
            case .null: try bind(nil as Int64?, at: offset + 1)
            case .integer(let integer): try bind(integer, at: offset + 1)
            case .real(let real): try bind(real, at: offset + 1)
            case .text(let text): try bind(text, at: offset + 1)
            }
        }
    }

    /// Runs the statement to its next row: true when a row is ready to read, false when done.
    public func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw error(code)
        }
    }

    /// Binds `values`, runs the statement to completion and resets it: for INSERT, UPDATE, DELETE.
    public func run(_ values: [SQLiteValue] = []) throws(SQLiteError) {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Binds `values` and returns `read` of every row, then resets the statement.
    public func query<Row>(
        _ values: [SQLiteValue] = [],
        _ read: (SQLiteStatement) throws(SQLiteError) -> Row
    ) throws(SQLiteError) -> [Row] {
        try bind(values)
        defer { sqlite3_reset(handle) }
        var rows: [Row] = []
        while try step() {
            rows.append(try read(self))
        }
        return rows
    }

    public var columnCount: Int {
        Int(sqlite3_column_count(handle))
    }

    public func isNull(at column: Int) -> Bool {
        sqlite3_column_type(handle, Int32(column)) == SQLITE_NULL
    }

    /// The column as an integer; 0 for NULL.
    public func int64(at column: Int) -> Int64 {
        sqlite3_column_int64(handle, Int32(column))
    }

    public func optionalInt64(at column: Int) -> Int64? {
        isNull(at: column) ? nil : int64(at: column)
    }

    public func double(at column: Int) -> Double? {
        isNull(at: column) ? nil : sqlite3_column_double(handle, Int32(column))
    }

    /// The column as UTF-8 text; nil for NULL.
    public func text(at column: Int) -> String? {
        guard let bytes = sqlite3_column_text(handle, Int32(column)) else {
            return nil
        }
        let count = Int(sqlite3_column_bytes(handle, Int32(column)))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    private func check(_ code: Int32) throws(SQLiteError) {
        if code != SQLITE_OK {
            throw error(code)
        }
    }

    private func error(_ code: Int32) -> SQLiteError {
        SQLiteError(resultCode: code, message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
    }
}

/// SQLite's `SQLITE_TRANSIENT`, a macro Swift cannot import: the destructor value -1, which tells
/// SQLite to copy the bound bytes before the bind call returns.
private let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

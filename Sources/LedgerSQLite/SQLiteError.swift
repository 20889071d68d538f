private import CSQLite

/// A failed SQLite call, by what the caller can do about it.
///
/// `init(resultCode:message:)` is the one place SQLite's result codes become Swift values; the
/// message is `sqlite3_errmsg`'s, which names the problem ("database is locked") and never the
/// values bound to a statement, so it is safe to log.
public enum SQLiteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// SQLITE_BUSY: another connection held the lock past the busy timeout. Transient.
    case busy(String)
    /// SQLITE_LOCKED: a conflict within this connection or its shared cache. Transient.
    case locked(String)
    /// SQLITE_FULL: the disk (or `max_page_count`) is full. Transient once space is freed.
    case full(String)
    /// SQLITE_IOERR: the operating system refused a read or write.
    case ioError(String)
    /// SQLITE_READONLY: the file or the connection does not allow writing.
    case readOnly(String)
    /// SQLITE_CANTOPEN: no such file, or its directory is not writable.
    case cannotOpen(String)
    /// SQLITE_CORRUPT or SQLITE_NOTADB: the file is not a usable database.
    case corrupt(String)
    /// SQLITE_CONSTRAINT: a statement broke a constraint of the schema.
    case constraint(String)
    /// The database was migrated by a newer Tollgate: `component`'s schema is at `version`, and this
    /// build knows versions up to `known`. Opening it could misread rows, so it is refused.
    case schemaTooNew(component: String, version: Int, known: Int)
    /// The database has no tables of `component` (it is empty, or another program's), where they
    /// were expected: a report on a file the ledger never wrote.
    case schemaMissing(component: String)
    /// Any other result code (SQLITE_ERROR for bad SQL, SQLITE_NOMEM, SQLITE_MISUSE, ...).
    case other(code: Int32, message: String)

    /// The error for a result code other than SQLITE_OK, SQLITE_ROW and SQLITE_DONE. Extended codes
    /// (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT) are classified by their primary code.
    init(resultCode: Int32, message: String) {
        switch resultCode & 0xff {
        case SQLITE_BUSY: self = .busy(message)
        case SQLITE_LOCKED: self = .locked(message)
        case SQLITE_FULL: self = .full(message)
        case SQLITE_IOERR: self = .ioError(message)
        case SQLITE_READONLY: self = .readOnly(message)
        case SQLITE_CANTOPEN: self = .cannotOpen(message)
        case SQLITE_CORRUPT, SQLITE_NOTADB: self = .corrupt(message)
        case SQLITE_CONSTRAINT: self = .constraint(message)
        default: self = .other(code: resultCode, message: message)
        }
    }

    /// The `kind` label of `tollgate_ledger_errors_total` (and of the limiter's store errors).
    public var kind: String {
        switch self {
        case .busy: "busy"
        case .locked: "locked"
        case .full: "full"
        case .ioError: "ioerr"
        case .readOnly: "readonly"
        case .cannotOpen: "cantopen"
        case .corrupt: "corrupt"
        case .constraint: "constraint"
        case .schemaTooNew, .schemaMissing: "schema"
        case .other: "other"
        }
    }

    /// Every `kind`, so metrics can show each at zero from the start.
    public static let allKinds = [
        "busy", "locked", "full", "ioerr", "readonly", "cantopen", "corrupt", "constraint", "schema", "other",
    ]

    public var description: String {
        switch self {
        case .busy(let message), .locked(let message), .full(let message), .ioError(let message),
            .readOnly(let message), .cannotOpen(let message), .corrupt(let message), .constraint(let message):
            "SQLite \(kind): \(message)"
        case .schemaTooNew(let component, let version, let known):
            "the database's \(component) schema is version \(version); this build knows up to \(known)"
        case .schemaMissing(let component):
            "the database has no \(component) tables"
        case .other(let code, let message):
            "SQLite error \(code): \(message)"
        }
    }
}

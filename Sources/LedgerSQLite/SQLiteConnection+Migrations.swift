extension SQLiteConnection {
    /// Brings `component`'s tables up to date: applies the `migrations` the database does not have
    /// yet, in order, in one transaction, and records the new version. Returns the versions before
    /// and after; equal when nothing was missing.
    ///
    /// Version N means `migrations[0..<N]` have been applied; an empty database is version 0. Each
    /// component sharing the file (`ledger`, the limiter's `ratelimit`) keeps its own row in
    /// `schema_version`, so each migrates on its own. Migrations are append-only: a released one is
    /// never edited, a change is a new entry. Any failure rolls everything back, leaving the database
    /// at its old version; a database newer than `migrations` knows throws `schemaTooNew`.
    @discardableResult
    public func migrate(_ component: String, _ migrations: [String]) throws(SQLiteError) -> (from: Int, to: Int) {
        try transaction { () throws(SQLiteError) in
            try execute(
                "CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
            )
            let current = try storedVersion(component)
            guard current <= migrations.count else {
                throw SQLiteError.schemaTooNew(component: component, version: current, known: migrations.count)
            }
            for migration in migrations[current...] {
                try execute(migration)
            }
            if current < migrations.count {
                try prepare("INSERT OR REPLACE INTO schema_version (component, version) VALUES (?1, ?2)")
                    .run([.text(component), .integer(Int64(migrations.count))])
            }
            return (current, migrations.count)
        }
    }

    /// The version of `component`'s tables: 0 when the database has none (or no `schema_version`).
    /// Reads only, so it works on a read-only connection.
    public func schemaVersion(_ component: String) throws(SQLiteError) -> Int {
        let hasTable = try prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
            .query { _ in true }
        return hasTable.isEmpty ? 0 : try storedVersion(component)
    }

    private func storedVersion(_ component: String) throws(SQLiteError) -> Int {
        try prepare("SELECT version FROM schema_version WHERE component = ?1")
            .query([.text(component)]) { row in Int(row.int64(at: 0)) }.first ?? 0
    }
}

// Test-only: records into a ledger until killed (LedgerSQLiteTests). Filled in with the ledger writer.
print("ledger crash probe")

// The usage ledger's SQLite storage; its types arrive in the files next to this one.

import Testing

@Suite struct LedgerSQLitePlaceholderTests {
    @Test func placeholder() {}
}

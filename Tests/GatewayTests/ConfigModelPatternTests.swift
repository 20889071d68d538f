import Gateway
import Testing

@Suite struct ConfigModelPatternTests {
    @Test(arguments: [
        ("gpt-4o-mini", "gpt-4o-mini", true),
        ("gpt-4o-mini", "gpt-4o-min", false),
        ("gpt-4o-mini", "gpt-4o-minix", false),
        ("gpt-4o-mini", "GPT-4o-mini", false),
        ("gpt-4o*", "gpt-4o", true),
        ("gpt-4o*", "gpt-4o-mini", true),
        ("gpt-4o*", "gpt-4", false),
        ("*", "", true),
        ("*", "anything/at all", true),
        ("", "", true),
        ("", "a", false),
        ("claude-*", "claude-3-5-sonnet", true),
        ("claude-*", "claude", false),
        ("*-mini", "gpt-4o-mini", true),
        ("*-mini", "gpt-4o-mini-2", false),
        ("gpt-?", "gpt-4", true),
        ("gpt-?", "gpt-", false),
        ("gpt-?", "gpt-45", false),
        ("a*b*c", "abc", true),
        ("a*b*c", "aXbYc", true),
        ("a*b*c", "aXbYcZ", false),
        ("a*b*c", "acb", false),
        ("*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
        ("*?", "", false),
        ("*?", "x", true),
        ("??", "é€", true),
        ("meta-llama/*", "meta-llama/Llama-3-70b", true),
        ("**", "x", true),
    ])
    func globMatching(pattern: String, name: String, expected: Bool) {
        #expect(ModelPattern(pattern).matches(name) == expected, "\(pattern) ~ \(name)")
    }

    @Test func literalPatterns() {
        #expect(ModelPattern("gpt-4o").isLiteral)
        #expect(!ModelPattern("gpt-4o*").isLiteral)
        #expect(!ModelPattern("gpt-?").isLiteral)
    }
}

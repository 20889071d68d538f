import Gateway
import Testing

@Suite struct ConfigUpstreamURLTests {
    @Test(arguments: [
        ("https://api.openai.com/v1", UpstreamURL.Scheme.https, "api.openai.com", 443, "/v1", "api.openai.com"),
        ("https://api.openai.com/v1/", .https, "api.openai.com", 443, "/v1", "api.openai.com"),
        ("https://api.anthropic.com", .https, "api.anthropic.com", 443, "", "api.anthropic.com"),
        ("https://api.anthropic.com/", .https, "api.anthropic.com", 443, "", "api.anthropic.com"),
        ("http://127.0.0.1:8000/v1", .http, "127.0.0.1", 8000, "/v1", "127.0.0.1:8000"),
        ("http://localhost:11434", .http, "localhost", 11434, "", "localhost:11434"),
        ("HTTPS://Example.COM:443/OpenAI/v1", .https, "example.com", 443, "/OpenAI/v1", "example.com"),
        ("http://[::1]:9000/x", .http, "::1", 9000, "/x", "[::1]:9000"),
        ("http://[::1]", .http, "::1", 80, "", "[::1]"),
        (
            "https://my-resource.openai.azure.com", .https, "my-resource.openai.azure.com", 443, "",
            "my-resource.openai.azure.com"
        ),
    ])
    func parses(
        text: String,
        scheme: UpstreamURL.Scheme,
        host: String,
        port: Int,
        basePath: String,
        authority: String
    ) throws {
        let url = try #require(UpstreamURL(parsing: text))
        #expect(url.scheme == scheme)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.basePath == basePath)
        #expect(url.authority == authority)
        #expect(url.isTLS == (scheme == .https))
    }

    @Test(arguments: [
        "",
        "api.openai.com/v1",
        "ftp://example.com",
        "https://",
        "https:///v1",
        "https://example.com:0",
        "https://example.com:65536",
        "https://example.com:",
        "https://example.com:80a",
        "https://user:pass@example.com",
        "https://example.com/v1?x=1",
        "https://example.com/v1#top",
        "https://exa mple.com",
        "https://example.com/v 1",
        "https://[::1",
        "https://[::1]x",
        "https://[]/",
        "https:/example.com",
    ])
    func refuses(text: String) {
        #expect(UpstreamURL(parsing: text) == nil)
    }

    @Test func descriptionIsTheCanonicalURL() {
        #expect(UpstreamURL(parsing: "https://api.openai.com:443/v1/")?.description == "https://api.openai.com/v1")
        #expect(UpstreamURL(parsing: "http://[::1]:8080")?.description == "http://[::1]:8080")
    }
}

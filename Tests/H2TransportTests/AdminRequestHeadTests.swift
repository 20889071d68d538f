import Testing

@testable import H2Transport

@Suite struct AdminRequestHeadTests {
    private func parse(_ text: String) -> AdminRequestHead? {
        AdminRequestHead(parsing: ArraySlice(text.utf8))
    }

    @Test func parsesTheRequestLineAndDropsTheQuery() {
        #expect(parse("GET /metrics?name=x HTTP/1.1\r\nHost: a") == AdminRequestHead(method: "GET", path: "/metrics"))
        #expect(parse("POST /readyz HTTP/1.0") == AdminRequestHead(method: "POST", path: "/readyz"))
        #expect(parse("GET /readyz HTTP/1.1\nHost: a") == AdminRequestHead(method: "GET", path: "/readyz"))
    }

    @Test(arguments: [
        "", "GET", "GET /healthz", "GET /healthz HTTP/2.0", "GET  /healthz HTTP/1.1", "GET healthz HTTP/1.1",
        "GE(T /healthz HTTP/1.1", "GET /a\u{7F}b HTTP/1.1", "\u{16}\u{03}\u{01}\u{02}\u{00}",
    ])
    func rejectsMalformedRequestLines(line: String) {
        #expect(parse(line) == nil)
    }
}

extension AdminRequestHead {
    fileprivate init(method: String, path: String) {
        self.init(parsing: ArraySlice("\(method) \(path) HTTP/1.1".utf8))!
    }
}

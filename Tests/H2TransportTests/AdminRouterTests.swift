import Testing

@testable import H2Transport

@Suite struct AdminRouterTests {
    private let router = AdminRouter(metrics: { "m_total 1\n" })

    private func get(_ path: String) -> AdminResponse {
        router.response(to: AdminRequestHead(parsing: ArraySlice("GET \(path) HTTP/1.1".utf8)))
    }

    @Test func healthzIsAlwaysOK() {
        #expect(get("/healthz") == AdminResponse(status: .ok, body: "ok"))
    }

    @Test func readyzFollowsTheReadinessFlag() {
        #expect(get("/readyz").status == .serviceUnavailable)
        router.isReady = true
        #expect(get("/readyz") == AdminResponse(status: .ok, body: "ok"))
        router.isReady = false
        #expect(get("/readyz").status == .serviceUnavailable)
    }

    @Test func metricsUsesThePrometheusContentType() {
        #expect(
            get("/metrics?x=1")
                == AdminResponse(
                    status: .ok,
                    contentType: "text/plain; version=0.0.4; charset=utf-8",
                    body: "m_total 1\n"
                )
        )
    }

    @Test func unknownPathsAreNotFoundAndOtherMethodsNotAllowed() {
        #expect(get("/").status == .notFound)
        let post = router.response(to: AdminRequestHead(parsing: ArraySlice("POST /healthz HTTP/1.1".utf8)))
        #expect(post.status == .methodNotAllowed)
        #expect(post.extraHeaders.elementsEqual([("Allow", "GET")], by: ==))
        #expect(router.response(to: nil).status == .badRequest)
    }

    @Test func serializesWithLengthAndClose() {
        let bytes = AdminResponse(status: .serviceUnavailable, body: "not ready").serialized()
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: 9\r\nConnection: close\r\n\r\nnot ready"
        )
    }
}

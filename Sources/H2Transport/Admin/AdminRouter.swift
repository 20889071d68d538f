import Synchronization

/// Decides the admin endpoint's answers; no I/O, so it is tested without a socket.
///
/// `/healthz` says the process is alive, `/readyz` whether it should receive traffic (false until
/// the listeners are up, and again while draining), `/metrics` renders the registry.
final class AdminRouter: Sendable {
    private let metrics: @Sendable () -> String
    private let ready = Atomic<Bool>(false)

    init(metrics: @escaping @Sendable () -> String) {
        self.metrics = metrics
    }

    var isReady: Bool {
        get { ready.load(ordering: .acquiring) }
        set { ready.store(newValue, ordering: .releasing) }
    }

    /// The response to a request, or to a head that did not parse (`nil`).
    func response(to request: AdminRequestHead?) -> AdminResponse {
        guard let request else {
            return AdminResponse(status: .badRequest, body: "bad request\n")
        }
        guard request.method == "GET" else {
            return AdminResponse(
                status: .methodNotAllowed,
                extraHeaders: [("Allow", "GET")],
                body: "method not allowed\n"
            )
        }
        switch request.path {
        case "/healthz":
            return AdminResponse(status: .ok, body: "ok")
        case "/readyz":
            return isReady
                ? AdminResponse(status: .ok, body: "ok") : AdminResponse(status: .serviceUnavailable, body: "not ready")
        case "/metrics":
            return AdminResponse(status: .ok, contentType: AdminResponse.prometheusText, body: metrics())
        default:
            return AdminResponse(status: .notFound, body: "not found\n")
        }
    }
}

/// `grpc.health.v1.Health/Check`, served by the transport itself so Envoy's gRPC health checker
/// and Kubernetes probes work without any application code.
///
/// Answers SERVING for the empty service name and for the application's service names, NOT_FOUND
/// (gRPC status 5) for any other, and NOT_SERVING once the server is draining.
struct HealthService: Sendable {
    static let checkMethod = "/grpc.health.v1.Health/Check"

    let servedServices: Set<String>
    let isDraining: @Sendable () -> Bool

    func makeStreamHandler() -> any GRPCStreamHandler {
        HealthCheckCall(service: self)
    }
}

/// One Check call: a `HealthCheckRequest { string service = 1; }` in, a
/// `HealthCheckResponse { ServingStatus status = 1; }` out.
private final class HealthCheckCall: GRPCStreamHandler {
    private enum ServingStatus: UInt8 {
        case serving = 1
        case notServing = 2
    }

    private let service: HealthService
    private var answered = false

    init(service: HealthService) {
        self.service = service
    }

    func didReceive(message: UnsafeRawBufferPointer, responder: GRPCResponder) {
        guard !answered else { return }
        answered = true
        guard let name = Self.serviceName(in: message) else {
            responder.finish(GRPCStatus(code: .invalidArgument, message: "malformed HealthCheckRequest"))
            return
        }
        guard name.isEmpty || service.servedServices.contains(name) else {
            responder.finish(GRPCStatus(code: .notFound, message: "unknown service \(name)"))
            return
        }
        let status: ServingStatus = service.isDraining() ? .notServing : .serving
        responder.send(byteCount: 2) { buffer in
            buffer[0] = 0x08  // field 1, varint
            buffer[1] = status.rawValue
        }
        responder.finish(.ok)
    }

    func didReceiveEnd(responder: GRPCResponder) {
        if !answered {
            responder.finish(GRPCStatus(code: .invalidArgument, message: "missing HealthCheckRequest"))
        }
    }

    func didCancel() {}

    /// Reads field 1 (string) and skips anything else a newer client may send.
    private static func serviceName(in message: UnsafeRawBufferPointer) -> String? {
        var reader = ProtobufFieldReader(message)
        var name = ""
        while let field = reader.next() {
            switch field {
            case .lengthDelimited(1, let bytes): name = String(decoding: bytes, as: UTF8.self)
            case .lengthDelimited, .varint, .fixed: continue
            case .malformed: return nil
            }
        }
        return name
    }
}

/// One admin response. Every response closes the connection, which keeps the server a single
/// blocking loop with no per-connection state.
struct AdminResponse: Equatable {
    enum Status: Int {
        case ok = 200
        case badRequest = 400
        case notFound = 404
        case methodNotAllowed = 405
        case requestHeaderFieldsTooLarge = 431
        case serviceUnavailable = 503

        var reason: String {
            switch self {
            case .ok: "OK"
            case .badRequest: "Bad Request"
            case .notFound: "Not Found"
            case .methodNotAllowed: "Method Not Allowed"
            case .requestHeaderFieldsTooLarge: "Request Header Fields Too Large"
            case .serviceUnavailable: "Service Unavailable"
            }
        }
    }

    static let plainText = "text/plain; charset=utf-8"
    /// The Prometheus text exposition format's content type.
    static let prometheusText = "text/plain; version=0.0.4; charset=utf-8"

    var status: Status
    var contentType = AdminResponse.plainText
    var extraHeaders: [(String, String)] = []
    var body: String

    static func == (lhs: AdminResponse, rhs: AdminResponse) -> Bool {
        lhs.status == rhs.status && lhs.contentType == rhs.contentType && lhs.body == rhs.body
            && lhs.extraHeaders.elementsEqual(rhs.extraHeaders, by: ==)
    }

    /// The response as it goes on the wire.
    func serialized() -> [UInt8] {
        let bodyBytes = Array(body.utf8)
        var head = "HTTP/1.1 \(status.rawValue) \(status.reason)\r\n"
        head += "Content-Type: \(contentType)\r\n"
        head += "Content-Length: \(bodyBytes.count)\r\n"
        for (name, value) in extraHeaders {
            head += "\(name): \(value)\r\n"
        }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8) + bodyBytes
    }
}

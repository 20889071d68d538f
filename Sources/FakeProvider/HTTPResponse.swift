/// One response from the fake provider. A streamed response is sent with chunked transfer encoding,
/// one chunk per element of `chunks`, as a server-sent-events stream is.
public struct HTTPResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// The body; when `streamed`, one transfer chunk per element.
    public var chunks: [[UInt8]]
    public var streamed: Bool

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.chunks = [body]
        self.streamed = false
    }

    public init(status: Int, headers: [(name: String, value: String)], chunks: [[UInt8]]) {
        self.status = status
        self.headers = headers
        self.chunks = chunks
        self.streamed = true
    }

    /// The whole body, chunks joined.
    public var body: [UInt8] {
        chunks.flatMap { $0 }
    }

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// The bytes on the wire: status line, headers, framing, body.
    public func serialized(close: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        if streamed {
            head += "transfer-encoding: chunked\r\n"
        } else {
            head += "content-length: \(body.count)\r\n"
        }
        head += close ? "connection: close\r\n\r\n" : "\r\n"
        var out = Array(head.utf8)
        if streamed {
            for chunk in chunks where !chunk.isEmpty {
                out += Array((String(chunk.count, radix: 16) + "\r\n").utf8) + chunk + [13, 10]
            }
            out += Array("0\r\n\r\n".utf8)
        } else {
            out += body
        }
        return out
    }

    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.chunks == rhs.chunks && lhs.streamed == rhs.streamed
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(status)
        hasher.combine(chunks)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 413: "Content Too Large"
        default: "Status"
        }
    }
}

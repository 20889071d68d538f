/// Cuts HTTP/1.1 requests (RFC 9112) out of the bytes read from one connection: the head, then a
/// body framed by `content-length` or `transfer-encoding: chunked`. No I/O, so it is tested by
/// feeding bytes, whole or one at a time.
public struct HTTPRequestReader: Sendable {
    public enum Outcome: Sendable, Hashable {
        /// Not a whole request yet: read more.
        case needMore
        case request(HTTPRequest)
        /// The bytes are not a request this reader accepts; answer 400 and close.
        case invalid(String)
    }

    public static let maxHeadBytes = 64 * 1024
    public static let defaultMaxBodyBytes = 64 * 1024 * 1024

    private var buffer: [UInt8] = []
    private let maxBodyBytes: Int

    public init(maxBodyBytes: Int = HTTPRequestReader.defaultMaxBodyBytes) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// Adds bytes read from the connection.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
    }

    /// The next whole request, removed from the buffer; call again for pipelined ones.
    public mutating func next() -> Outcome {
        guard let headEnd = Self.find([13, 10, 13, 10], in: buffer, from: 0) else {
            return buffer.count > Self.maxHeadBytes ? .invalid("request head too large") : .needMore
        }
        guard headEnd <= Self.maxHeadBytes else {
            return .invalid("request head too large")
        }
        let headText = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, !requestLine[0].isEmpty, requestLine[1].hasPrefix("/"),
            requestLine[2] == "HTTP/1.1" || requestLine[2] == "HTTP/1.0"
        else {
            return .invalid("malformed request line")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                return .invalid("malformed header line")
            }
            let name = line[..<colon].lowercased()
            guard !name.contains(where: { $0 == " " || $0 == "\t" }) else {
                return .invalid("malformed header name")
            }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            headers.append((name, value))
        }
        var request = HTTPRequest(method: String(requestLine[0]), path: "", headers: headers)
        let target = requestLine[1]
        if let question = target.firstIndex(of: "?") {
            request.path = String(target[..<question])
            request.query = String(target[target.index(after: question)...])
        } else {
            request.path = String(target)
        }
        let connection = request.header("connection")?.lowercased() ?? ""
        request.wantsClose =
            requestLine[2] == "HTTP/1.0" ? !connection.contains("keep-alive") : connection.contains("close")

        let bodyStart = headEnd + 4
        if let encoding = request.header("transfer-encoding") {
            guard encoding.lowercased().hasSuffix("chunked") else {
                return .invalid("unsupported transfer-encoding")
            }
            switch Self.dechunk(buffer, from: bodyStart, limit: maxBodyBytes) {
            case .needMore:
                return .needMore
            case .invalid(let reason):
                return .invalid(reason)
            case .complete(let body, let end):
                request.body = body
                buffer.removeFirst(end)
                return .request(request)
            }
        }
        let length: Int
        if let text = request.header("content-length") {
            guard let value = Int(text), value >= 0 else {
                return .invalid("malformed content-length")
            }
            length = value
        } else {
            length = 0
        }
        guard length <= maxBodyBytes else {
            return .invalid("body too large")
        }
        guard buffer.count - bodyStart >= length else {
            return .needMore
        }
        request.body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return .request(request)
    }

    private enum Dechunked {
        case needMore
        case invalid(String)
        case complete([UInt8], end: Int)
    }

    private static func dechunk(_ bytes: [UInt8], from start: Int, limit: Int) -> Dechunked {
        var body: [UInt8] = []
        var position = start
        while true {
            guard let lineEnd = find([13, 10], in: bytes, from: position) else {
                return .needMore
            }
            let sizeText = String(decoding: bytes[position..<lineEnd], as: UTF8.self)
            let sizeField = sizeText.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
            guard let size = Int(sizeField.trimmingCharacters(in: " \t"), radix: 16), size >= 0 else {
                return .invalid("malformed chunk size")
            }
            position = lineEnd + 2
            if size == 0 {
                // Trailers, if any, end with an empty line.
                while true {
                    guard let end = find([13, 10], in: bytes, from: position) else {
                        return .needMore
                    }
                    let empty = end == position
                    position = end + 2
                    if empty {
                        return .complete(body, end: position)
                    }
                }
            }
            guard body.count + size <= limit else {
                return .invalid("body too large")
            }
            guard bytes.count >= position + size + 2 else {
                return .needMore
            }
            body.append(contentsOf: bytes[position..<(position + size)])
            guard bytes[position + size] == 13, bytes[position + size + 1] == 10 else {
                return .invalid("malformed chunk")
            }
            position += size + 2
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else {
            return nil
        }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) {
            slice = slice.dropFirst()
        }
        while let last = slice.last, characters.contains(last) {
            slice = slice.dropLast()
        }
        return String(slice)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        String(self).trimmingCharacters(in: set)
    }
}

/// The parts of an HTTP/1.1 request head (RFC 9112 section 3) that the admin endpoint routes on.
///
/// Headers are not interpreted: every admin response closes the connection and no route takes a body.
struct AdminRequestHead: Equatable {
    let method: String
    /// The target's path, without the query string.
    let path: String

    /// Parses the request line at the start of `head`, the bytes before the blank line.
    /// Returns nil when it is not `METHOD SP origin-form SP HTTP/1.x`.
    init?(parsing head: ArraySlice<UInt8>) {
        let lineEnd = head.firstIndex { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") } ?? head.endIndex
        let parts = head[head.startIndex..<lineEnd].split(
            separator: UInt8(ascii: " "),
            omittingEmptySubsequences: false
        )
        guard parts.count == 3,
            !parts[0].isEmpty, parts[0].allSatisfy(Self.isTokenCharacter),
            parts[1].first == UInt8(ascii: "/"), parts[1].allSatisfy(Self.isVisibleASCII),
            parts[2].elementsEqual("HTTP/1.1".utf8) || parts[2].elementsEqual("HTTP/1.0".utf8)
        else {
            return nil
        }
        method = String(decoding: parts[0], as: UTF8.self)
        let target = parts[1]
        path = String(decoding: target[..<(target.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex)], as: UTF8.self)
    }

    /// `tchar` of RFC 9110 section 5.6.2.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private static func isVisibleASCII(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }
}

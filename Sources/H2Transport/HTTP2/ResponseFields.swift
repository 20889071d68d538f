/// The header fields of gRPC responses, pre-encoded as bytes.
enum ResponseFields {
    typealias Field = (name: [UInt8], value: [UInt8])

    static let responseHeaders: [Field] = [
        (Array(":status".utf8), Array("200".utf8)),
        (Array("content-type".utf8), Array("application/grpc".utf8)),
    ]

    static func trailers(for status: GRPCStatus) -> [Field] {
        var fields: [Field] = [(Array("grpc-status".utf8), Array(String(status.code.rawValue).utf8))]
        if let message = status.message, !message.isEmpty {
            fields.append((Array("grpc-message".utf8), percentEncoded(message)))
        }
        return fields
    }

    /// grpc-message is percent-encoded: printable ASCII except '%' passes, everything else is %XX
    /// (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md#responses).
    static func percentEncoded(_ message: String) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(message.utf8.count)
        for byte in message.utf8 {
            if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
                encoded.append(byte)
            } else {
                encoded.append(UInt8(ascii: "%"))
                encoded.append(hex[Int(byte >> 4)])
                encoded.append(hex[Int(byte & 0xF)])
            }
        }
        return encoded
    }
}

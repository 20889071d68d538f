/// Walks the top-level fields of a protobuf message, enough for the transport's own tiny messages
/// (health checks) without a protobuf library in layer 1.
struct ProtobufFieldReader {
    enum Field {
        case varint(Int, UInt64)
        case fixed(Int)
        case lengthDelimited(Int, UnsafeRawBufferPointer)
        case malformed
    }

    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func next() -> Field? {
        guard offset < bytes.count else { return nil }
        guard let key = readVarint() else { return .malformed }
        let number = Int(key >> 3)
        switch key & 7 {
        case 0:
            guard let value = readVarint() else { return .malformed }
            return .varint(number, value)
        case 1, 5:
            let width = key & 7 == 1 ? 8 : 4
            guard bytes.count - offset >= width else { return .malformed }
            offset += width
            return .fixed(number)
        case 2:
            guard let length = readVarint(), length <= UInt64(bytes.count - offset) else { return .malformed }
            let field = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(length)])
            offset += Int(length)
            return .lengthDelimited(number, field)
        default:
            return .malformed
        }
    }

    private mutating func readVarint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count && shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }
}

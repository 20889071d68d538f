/// A small protobuf wire-format writer, written from the encoding spec and independent of
/// protobuf-c, so that the tests check our field numbers against the protocol rather than against
/// the code under test.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ field: Int, _ value: UInt64) {
        tag(field, wireType: 0)
        appendVarint(value)
    }

    mutating func bool(_ field: Int, _ value: Bool) {
        varint(field, value ? 1 : 0)
    }

    mutating func double(_ field: Int, _ value: Double) {
        tag(field, wireType: 1)
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bits >>= 8
        }
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, wireType: 2)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        build(&nested)
        bytes(field, nested.bytes)
    }

    private mutating func tag(_ field: Int, wireType: UInt64) {
        appendVarint(UInt64(field) << 3 | wireType)
    }

    private mutating func appendVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}

/// The fields of one encoded message, in wire order, for asserting exactly what was encoded.
struct ProtobufFields: CustomStringConvertible {
    enum Value: Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case lengthDelimited([UInt8])
        case fixed32(UInt32)
    }

    struct ParseError: Error {}

    let fields: [(number: Int, value: Value)]

    init(_ bytes: [UInt8]) throws {
        var fields: [(Int, Value)] = []
        var offset = 0
        func readVarint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard offset < bytes.count, shift < 64 else { throw ParseError() }
                let byte = bytes[offset]
                offset += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
        }
        func readFixed(_ count: Int) throws -> UInt64 {
            guard offset + count <= bytes.count else { throw ParseError() }
            var result: UInt64 = 0
            for index in (0..<count).reversed() {
                result = result << 8 | UInt64(bytes[offset + index])
            }
            offset += count
            return result
        }
        while offset < bytes.count {
            let tag = try readVarint()
            let number = Int(tag >> 3)
            switch tag & 7 {
            case 0:
                fields.append((number, .varint(try readVarint())))
            case 1:
                fields.append((number, .fixed64(try readFixed(8))))
            case 2:
                let length = Int(try readVarint())
                guard length >= 0, offset + length <= bytes.count else { throw ParseError() }
                fields.append((number, .lengthDelimited(Array(bytes[offset..<offset + length]))))
                offset += length
            case 5:
                fields.append((number, .fixed32(UInt32(try readFixed(4)))))
            default:
                throw ParseError()
            }
        }
        self.fields = fields
    }

    var numbers: [Int] { fields.map(\.number) }

    func values(_ number: Int) -> [Value] {
        fields.filter { $0.number == number }.map(\.value)
    }

    func varint(_ number: Int) -> UInt64? {
        guard case .varint(let value)? = values(number).last else { return nil }
        return value
    }

    func bytes(_ number: Int) -> [UInt8]? {
        guard case .lengthDelimited(let value)? = values(number).last else { return nil }
        return value
    }

    func string(_ number: Int) -> String? {
        bytes(number).map { String(decoding: $0, as: UTF8.self) }
    }

    func double(_ number: Int) -> Double? {
        guard case .fixed64(let bits)? = values(number).last else { return nil }
        return Double(bitPattern: bits)
    }

    func message(_ number: Int) throws -> ProtobufFields? {
        try bytes(number).map(ProtobufFields.init)
    }

    func messages(_ number: Int) throws -> [ProtobufFields] {
        try values(number).map { value in
            guard case .lengthDelimited(let bytes) = value else { throw ParseError() }
            return try ProtobufFields(bytes)
        }
    }

    var description: String {
        fields.map { "\($0.number): \($0.value)" }.joined(separator: ", ")
    }
}

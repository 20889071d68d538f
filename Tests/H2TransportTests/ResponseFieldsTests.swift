import Testing

@testable import H2Transport

@Suite struct ResponseFieldsTests {
    @Test func okTrailersCarryOnlyTheStatus() {
        let fields = ResponseFields.trailers(for: .ok)
        #expect(fields.map { String(decoding: $0.name, as: UTF8.self) } == ["grpc-status"])
        #expect(String(decoding: fields[0].value, as: UTF8.self) == "0")
    }

    @Test func grpcMessageIsPercentEncoded() {
        let fields = ResponseFields.trailers(for: GRPCStatus(code: .resourceExhausted, message: "100% too big\nnaïve"))
        #expect(String(decoding: fields[0].value, as: UTF8.self) == "8")
        #expect(String(decoding: fields[1].value, as: UTF8.self) == "100%25 too big%0Ana%C3%AFve")
    }
}

@Suite struct ProtobufFieldReaderTests {
    @Test func readsStringAndSkipsUnknownFields() {
        // field 2 varint 150, field 1 string "abc", field 3 fixed32
        let bytes: [UInt8] = [0x10, 0x96, 0x01, 0x0A, 0x03, 0x61, 0x62, 0x63, 0x1D, 1, 2, 3, 4]
        var names: [String] = []
        var varints: [UInt64] = []
        bytes.withUnsafeBytes { raw in
            var reader = ProtobufFieldReader(raw)
            while let field = reader.next() {
                switch field {
                case .varint(_, let value): varints.append(value)
                case .lengthDelimited(1, let value): names.append(String(decoding: value, as: UTF8.self))
                case .lengthDelimited, .fixed: continue
                case .malformed: Issue.record("unexpected malformed field")
                }
            }
        }
        #expect(names == ["abc"])
        #expect(varints == [150])
    }

    @Test func lengthPastTheEndIsMalformed() {
        let bytes: [UInt8] = [0x0A, 0x05, 0x61]
        bytes.withUnsafeBytes { raw in
            var reader = ProtobufFieldReader(raw)
            guard case .malformed = reader.next() else {
                Issue.record("expected malformed")
                return
            }
        }
    }
}

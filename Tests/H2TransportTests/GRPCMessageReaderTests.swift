import Testing

@testable import H2Transport

@Suite struct GRPCMessageReaderTests {
    private func framed(_ payloads: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for payload in payloads {
            let length = payload.count
            bytes += [
                0, UInt8(length >> 24 & 0xFF), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF),
                UInt8(length & 0xFF),
            ]
            bytes += payload
        }
        return bytes
    }

    private func messages(from stream: [UInt8], chunkSizes: [Int], limit: Int = 1 << 20) throws -> [[UInt8]] {
        var reader = GRPCMessageReader(maxMessageBytes: limit)
        var delivered: [[UInt8]] = []
        var offset = 0
        var sizeIndex = 0
        while offset < stream.count {
            let size = min(chunkSizes[sizeIndex % chunkSizes.count], stream.count - offset)
            sizeIndex += 1
            try stream[offset..<offset + size].withUnsafeBytes { chunk in
                try reader.consume(chunk) { delivered.append(Array($0)) }
            }
            offset += size
        }
        try reader.finish()
        return delivered
    }

    private let payloads: [[UInt8]] = [
        Array("first".utf8), [], Array(repeating: 7, count: 70_000), Array("last message".utf8),
    ]

    @Test func deliversSeveralMessagesFromOneChunk() throws {
        let stream = framed(payloads)
        #expect(try messages(from: stream, chunkSizes: [stream.count]) == payloads)
    }

    @Test func deliversMessagesFedByteByByte() throws {
        #expect(try messages(from: framed(payloads), chunkSizes: [1]) == payloads)
    }

    @Test func deliversMessagesSplitAcrossUnevenChunks() throws {
        let stream = framed(payloads)
        for sizes in [[2], [3, 7], [4, 16_384], [5], [6, 1, 9_999]] {
            #expect(try messages(from: stream, chunkSizes: sizes) == payloads, "chunk sizes \(sizes)")
        }
    }

    @Test func rejectsMessageOverTheLimit() {
        let stream = framed([Array(repeating: 1, count: 101)])
        #expect(throws: GRPCFramingError.messageTooLarge(length: 101, limit: 100)) {
            _ = try messages(from: stream, chunkSizes: [3], limit: 100)
        }
    }

    @Test func acceptsMessageExactlyAtTheLimit() throws {
        let payload = Array(repeating: UInt8(1), count: 100)
        #expect(try messages(from: framed([payload]), chunkSizes: [3], limit: 100) == [payload])
    }

    @Test func rejectsCompressedFlag() {
        let stream: [UInt8] = [1, 0, 0, 0, 1, 42]
        #expect(throws: GRPCFramingError.compressedMessage) {
            _ = try messages(from: stream, chunkSizes: [6])
        }
    }

    @Test func reportsTruncatedMessageAtEnd() {
        let stream = Array(framed([Array("hello".utf8)]).dropLast(2))
        #expect(throws: GRPCFramingError.truncatedMessage) {
            _ = try messages(from: stream, chunkSizes: [4])
        }
    }

    @Test func truncatedPrefixIsNotABoundary() throws {
        var reader = GRPCMessageReader(maxMessageBytes: 10)
        try [UInt8]([0, 0, 0]).withUnsafeBytes { chunk in
            try reader.consume(chunk) { _ in Issue.record("no message yet") }
        }
        #expect(!reader.isAtMessageBoundary)
    }
}

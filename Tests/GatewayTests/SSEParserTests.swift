import Gateway
import Testing

@Suite struct SSEParserTests {
    private func parse(
        _ chunks: [String],
        limit: Int = SSEParser.defaultMaxEventBytes
    ) throws -> (
        events: [SSEEvent], flush: SSEParser.Flush
    ) {
        var parser = SSEParser(maxEventBytes: limit)
        var events: [SSEEvent] = []
        for chunk in chunks { events += try parser.feed(Array(chunk.utf8)) }
        let flush = parser.finish()
        return (events, flush)
    }

    private func data(_ events: [SSEEvent]) -> [String] {
        events.map { String(decoding: $0.data, as: UTF8.self) }
    }

    @Test func oneEventPerBlankLine() throws {
        let (events, flush) = try parse(["event: a\ndata: 1\n\nevent: b\ndata: 2\n\n"])
        #expect(events.map(\.name) == ["a", "b"])
        #expect(data(events) == ["1", "2"])
        #expect(flush.events.isEmpty)
        #expect(!flush.endedMidEvent)
    }

    /// A last event without its blank line may be forwarded only if it is whole.
    @Test(arguments: [
        ("data: {\"a\":1}", true),
        ("data: [DONE]", true),
        ("data: {\"a\":", false),
        ("data: {\"a\":1}\ndata: x", false),
    ])
    func readableEventsOfAFlush(tail: String, readable: Bool) throws {
        let (_, flush) = try parse(["data: {}\n\n" + tail])
        #expect(flush.endedMidEvent)
        let (events, allReadable) = flush.readableEvents
        #expect(allReadable == readable)
        #expect(events.count == (readable ? 1 : 0))
    }

    @Test func everyLineEndingAndMixes() throws {
        let (events, _) = try parse(["data: lf\n\ndata: crlf\r\n\r\ndata: cr\r\rdata: mixed\r\n\n"])
        #expect(data(events) == ["lf", "crlf", "cr", "mixed"])
    }

    @Test func multiLineDataJoinsWithLF() throws {
        let (events, _) = try parse(["data: first\ndata:second\ndata:  third\n\n"])
        // One space after the colon is dropped, a second one is data.
        #expect(data(events) == ["first\nsecond\n third"])
    }

    @Test func commentsAndUnknownFieldsAreSkipped() throws {
        let (events, _) = try parse([": keep-alive\n\n:another\nfoo: bar\ndata: x\n\n"])
        #expect(data(events) == ["x"])
    }

    @Test func eventWithoutDataIsNotDispatched() throws {
        let (events, _) = try parse(["event: lonely\n\ndata: next\n\n"])
        #expect(events.count == 1)
        #expect(events[0].name == nil, "the name of an undispatched event must not leak into the next one")
    }

    @Test func emptyDataLineIsAnEvent() throws {
        let (events, _) = try parse(["data\n\ndata:\n\n"])
        #expect(data(events) == ["", ""])
    }

    @Test func idAndRetry() throws {
        let (events, _) = try parse(["id: 7\nretry: 1500\ndata: x\n\nretry: soon\ndata: y\n\n"])
        #expect(events[0].id == "7")
        #expect(events[0].retry == 1500)
        #expect(events[1].retry == nil)
    }

    @Test func byteOrderMarkIsDroppedOnlyAtTheStart() throws {
        let bom = "\u{FEFF}"
        let (events, _) = try parse([bom + "data: a\n\n" + bom + "data: b\n\n"])
        // Later in the stream the mark is part of a field name, which is then unknown.
        #expect(data(events) == ["a"])
    }

    @Test func byteOrderMarkSplitAcrossChunks() throws {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for byte in [0xEF, 0xBB, 0xBF] + Array("data: a\n\n".utf8) {
            events += try parser.feed([UInt8(byte)])
        }
        #expect(events.map { String(decoding: $0.data, as: UTF8.self) } == ["a"])
    }

    @Test func partialByteOrderMarkIsText() throws {
        var parser = SSEParser()
        let events = try parser.feed([0xEF, UInt8(ascii: "d")] + Array("ata: a\n\ndata: b\n\n".utf8))
        // The first line's field is "\u{EF}data"-ish garbage, so only the second event is read.
        #expect(events.map { String(decoding: $0.data, as: UTF8.self) } == ["b"])
    }

    /// Every way of cutting a stream in two gives the same events.
    @Test func everySplitPointGivesTheSameEvents() throws {
        let stream = "event: a\r\ndata: 1\r\ndata: 2\r\n\r\n: c\rdata: ü✓\r\rdata: x\n\n"
        let bytes = Array(stream.utf8)
        var whole = SSEParser()
        let expected = try whole.feed(bytes)
        #expect(expected.count == 3)
        for cut in 0...bytes.count {
            var parser = SSEParser()
            let events = try parser.feed(Array(bytes[..<cut])) + parser.feed(Array(bytes[cut...]))
            #expect(events == expected, "cut at \(cut)")
        }
    }

    @Test func finishDispatchesTheUnfinishedEvent() throws {
        let (events, flush) = try parse(["data: a\n\ndata: b"])
        #expect(data(events) == ["a"])
        #expect(data(flush.events) == ["b"])
        #expect(flush.endedMidEvent)
    }

    @Test func finishAfterDataLineWithoutBlankLine() throws {
        let (_, flush) = try parse(["data: a\n"])
        #expect(data(flush.events) == ["a"])
        #expect(flush.endedMidEvent)
    }

    @Test func cleanEndIsNotMidEvent() throws {
        let (_, flush) = try parse(["data: a\r\n\r\n"])
        #expect(flush.events.isEmpty)
        #expect(!flush.endedMidEvent)
        let (_, empty) = try parse([])
        #expect(!empty.endedMidEvent)
    }

    @Test func oversizedEventIsRefused() throws {
        var parser = SSEParser(maxEventBytes: 16)
        #expect(throws: SSEParseError.eventTooLarge(limit: 16)) {
            _ = try parser.feed(Array("data: 0123456789abcdefg\n\n".utf8))
        }
        var lines = SSEParser(maxEventBytes: 16)
        #expect(throws: SSEParseError.eventTooLarge(limit: 16)) {
            for _ in 0..<10 { _ = try lines.feed(Array("data: 0123\n".utf8)) }
        }
    }

    /// Memory does not grow with the stream: a tiny limit holds for any number of small events,
    /// fed in awkward chunks.
    @Test func longStreamWithinASmallLimit() throws {
        var parser = SSEParser(maxEventBytes: 64)
        var count = 0
        let event = Array("event: delta\ndata: {\"text\":\"token\"}\n\n".utf8)
        var pending: [UInt8] = []
        for _ in 0..<20_000 {
            pending += event
            if pending.count > 97 {
                count += try parser.feed(Array(pending[..<97])).count
                pending.removeFirst(97)
            }
        }
        count += try parser.feed(pending).count
        #expect(count == 20_000)
        #expect(parser.pendingByteCount == 0)
    }

    @Test func pendingByteCountCoversTheUnfinishedEvent() throws {
        var parser = SSEParser()
        _ = try parser.feed(Array("data: a\n\ndata: b".utf8))
        #expect(parser.pendingByteCount == 7)
        _ = try parser.feed(Array("c\n".utf8))
        #expect(parser.pendingByteCount == 9)
        _ = try parser.feed(Array("\r".utf8))
        #expect(parser.pendingByteCount == 0)
        // The LF after that CR still belongs to the finished event.
        _ = try parser.feed(Array("\n".utf8))
        #expect(parser.pendingByteCount == 0)
    }

    @Test func writerRoundTrips() throws {
        var output: [UInt8] = []
        SSEWriter.appendEvent(name: "message_start", data: Array("line one\nline two".utf8), to: &output)
        SSEWriter.append(SSEEvent(name: nil, data: Array("x".utf8), id: "9", retry: 10), to: &output)
        SSEWriter.appendDone(to: &output)
        #expect(
            String(decoding: output, as: UTF8.self)
                == "event: message_start\ndata: line one\ndata: line two\n\nid: 9\nretry: 10\ndata: x\n\ndata: [DONE]\n\n"
        )
        var parser = SSEParser()
        let events = try parser.feed(output)
        #expect(events.count == 3)
        #expect(String(decoding: events[0].data, as: UTF8.self) == "line one\nline two")
        #expect(events[2].isDone)
    }
}

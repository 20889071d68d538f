/// An incremental parser for `text/event-stream` bodies, fed chunks as they arrive.
///
/// Follows WHATWG HTML 9.2.6: lines end in CRLF, LF or CR; a blank line dispatches the event; a
/// line starting with `:` is a comment; `field: value` loses one space after the colon; `data`
/// lines accumulate joined with LF; an event with no `data` line is not dispatched; a leading
/// UTF-8 byte order mark is dropped. Chunk boundaries can fall anywhere, including between the CR
/// and LF of one line ending and inside the byte order mark.
///
/// Memory: between calls the parser holds only the unfinished line and the current event's
/// fields, never consumed input, so a stream of any length costs the size of its largest event.
/// That is capped by `maxEventBytes` (`SSEParseError.eventTooLarge`).
///
/// End of stream: the spec discards an unfinished event; `finish()` instead dispatches it and
/// says the stream was cut (`Flush.endedMidEvent`), so a translator can use a final event that
/// lacks only its blank line and still know the upstream did not end cleanly.
public struct SSEParser: Sendable {
    /// What `finish()` found in the parser.
    public struct Flush: Sendable, Hashable {
        /// The unfinished event, if it had data.
        public var events: [SSEEvent]
        /// True when input ended inside a line or an event (no final blank line).
        public var endedMidEvent: Bool

        /// The flushed events whose data is JSON (or OpenAI's `[DONE]`), and whether that was all
        /// of them: a passthrough forwards the bytes of a last event that lacked only its blank
        /// line, never those of one that was cut.
        public var readableEvents: (events: [SSEEvent], allReadable: Bool) {
            let readable = events.filter { $0.isDone || (try? JSONValue(parsing: $0.data)) != nil }
            return (readable, readable.count == events.count)
        }
    }

    public static let defaultMaxEventBytes = 16 * 1024 * 1024

    public let maxEventBytes: Int

    /// The bytes of the current line that arrived in earlier chunks.
    private var partialLine: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var name: String?
    private var id: String?
    private var retry: Int?
    /// The previous chunk ended in CR: an LF opening the next one belongs to that line ending.
    private var skipLeadingLF = false
    /// How many bytes of the byte order mark were seen at the very start; nil once decided.
    private var byteOrderMarkMatched: Int? = 0
    /// Whether any field was seen since the last dispatch (for `endedMidEvent`).
    private var eventPending = false
    /// Set by `dispatch`, read by `feed` to note where an event ended.
    private var didDispatch = false

    /// How many of the bytes fed so far come after the end of the last event (the blank line
    /// that ended it, line terminator included): the raw bytes of the event still being read.
    /// A passthrough holds these back, so a client never receives half an event from a stream
    /// that is then cut.
    public private(set) var pendingByteCount = 0

    public init(maxEventBytes: Int = SSEParser.defaultMaxEventBytes) {
        self.maxEventBytes = maxEventBytes
    }

    /// Parses `chunk` and returns the events it completes, in order.
    public mutating func feed(_ chunk: [UInt8]) throws(SSEParseError) -> [SSEEvent] {
        var events: [SSEEvent] = []
        var start = 0
        if byteOrderMarkMatched != nil {
            start = consumeByteOrderMark(chunk)
        }
        var lastBoundary: Int?
        if skipLeadingLF && start < chunk.count {
            if chunk[start] == ASCII.newline {
                start += 1
                // The LF ends the line the last chunk's CR ended: if that line ended an event,
                // the LF belongs to that event, not to the next one.
                if pendingByteCount == 0 { lastBoundary = start }
            }
            skipLeadingLF = false
        }
        var index = start
        while index < chunk.count {
            let byte = chunk[index]
            guard byte == ASCII.newline || byte == ASCII.carriageReturn else {
                index += 1
                continue
            }
            if partialLine.isEmpty {
                try processLine(chunk[start..<index], into: &events)
            } else {
                try append(chunk[start..<index], to: &partialLine)
                let line = partialLine
                partialLine.removeAll(keepingCapacity: true)
                try processLine(line[...], into: &events)
            }
            if byte == ASCII.carriageReturn {
                if index + 1 < chunk.count {
                    if chunk[index + 1] == ASCII.newline { index += 1 }
                } else {
                    skipLeadingLF = true
                }
            }
            index += 1
            start = index
            if didDispatch {
                didDispatch = false
                lastBoundary = index
            }
        }
        if start < chunk.count {
            try append(chunk[start..<chunk.count], to: &partialLine)
        }
        if let lastBoundary {
            pendingByteCount = chunk.count - lastBoundary
        } else {
            pendingByteCount += chunk.count
        }
        return events
    }

    /// Ends the stream: processes an unfinished last line and dispatches the unfinished event.
    /// The parser is empty afterwards and may be fed a new stream.
    public mutating func finish() -> Flush {
        var events: [SSEEvent] = []
        let endedMidEvent = !partialLine.isEmpty || eventPending || (byteOrderMarkMatched ?? 0) > 0
        if !partialLine.isEmpty {
            let line = partialLine
            partialLine = []
            // The line fit in the limit when it was buffered; processing cannot exceed it.
            try? processLine(line[...], into: &events)
        }
        dispatch(into: &events)
        self = SSEParser(maxEventBytes: maxEventBytes)
        return Flush(events: events, endedMidEvent: endedMidEvent)
    }

    // MARK: - Lines

    private mutating func processLine(_ line: ArraySlice<UInt8>, into events: inout [SSEEvent]) throws(SSEParseError) {
        guard let first = line.first else {
            dispatch(into: &events)
            return
        }
        if first == ASCII.colon { return }
        let colon = line.firstIndex(of: ASCII.colon) ?? line.endIndex
        let field = line[line.startIndex..<colon]
        var valueStart = colon == line.endIndex ? colon : colon + 1
        if valueStart < line.endIndex && line[valueStart] == ASCII.space { valueStart += 1 }
        let value = line[valueStart..<line.endIndex]
        eventPending = true
        if field.elementsEqual("data".utf8) {
            if hasData { try append(CollectionOfOne(ASCII.newline), to: &data) }
            try append(value, to: &data)
            hasData = true
        } else if field.elementsEqual("event".utf8) {
            name = String(decoding: value, as: UTF8.self)
        } else if field.elementsEqual("id".utf8) {
            if !value.contains(0) { id = String(decoding: value, as: UTF8.self) }
        } else if field.elementsEqual("retry".utf8) {
            if !value.isEmpty, value.allSatisfy({ $0 >= ASCII.digit0 && $0 <= ASCII.digit9 }) {
                retry = Int(String(decoding: value, as: UTF8.self))
            }
        }
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        didDispatch = true
        if hasData {
            events.append(SSEEvent(name: name, data: data, id: id, retry: retry))
        }
        data = []
        hasData = false
        name = nil
        id = nil
        retry = nil
        eventPending = false
    }

    /// Appends to one of the buffers, refusing to let the event outgrow `maxEventBytes`.
    private func append(_ bytes: some Collection<UInt8>, to buffer: inout [UInt8]) throws(SSEParseError) {
        guard partialLine.count + data.count + bytes.count <= maxEventBytes else {
            throw .eventTooLarge(limit: maxEventBytes)
        }
        buffer.append(contentsOf: bytes)
    }

    // MARK: - Byte order mark

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Consumes the part of the byte order mark at the start of `chunk`; returns where the
    /// stream's text begins in it. A partial mark that turns out not to be one is text.
    private mutating func consumeByteOrderMark(_ chunk: [UInt8]) -> Int {
        guard var matched = byteOrderMarkMatched else { return 0 }
        var index = 0
        while index < chunk.count && matched < 3 {
            guard chunk[index] == Self.byteOrderMark[matched] else {
                // Not a mark: the bytes taken so far belong to the first line.
                partialLine.append(contentsOf: Self.byteOrderMark[0..<matched])
                byteOrderMarkMatched = nil
                return index
            }
            matched += 1
            index += 1
        }
        byteOrderMarkMatched = matched == 3 ? nil : matched
        return index
    }
}

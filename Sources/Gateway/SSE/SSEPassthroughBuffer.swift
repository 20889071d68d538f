/// The raw bytes of a passthrough stream's unfinished event, held back until the event is
/// complete, so that a stream cut mid-event never hands the client half an event followed by the
/// gateway's error event on the same line.
///
/// Fed with `SSEParser.pendingByteCount` after each chunk; holds at most one event's bytes.
struct SSEPassthroughBuffer: Sendable {
    private var held: [UInt8] = []

    /// The bytes of `chunk` (after any held ones) that end complete events; the rest is held.
    mutating func release(_ chunk: [UInt8], pending: Int) -> [UInt8] {
        if held.isEmpty && pending == 0 { return chunk }
        held.append(contentsOf: chunk)
        let releasable = held.count - pending
        guard releasable > 0 else { return [] }
        let output = Array(held[..<releasable])
        held.removeFirst(releasable)
        return output
    }

    /// At end of stream: the held bytes completed with the blank line they lack (`complete`), or
    /// dropped.
    mutating func finish(complete: Bool) -> [UInt8] {
        defer { held = [] }
        guard complete, let last = held.last else { return [] }
        var output = held
        switch last {
        case ASCII.newline: output.append(ASCII.newline)
        case ASCII.carriageReturn: output.append(contentsOf: [ASCII.carriageReturn, ASCII.newline])
        default: output.append(contentsOf: [ASCII.newline, ASCII.newline])
        }
        return output
    }
}

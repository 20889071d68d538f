/// Where the request log's lines go: `tollgate serve` gives a writer thread on standard output
/// (`RequestLogWriter`), tests an array.
///
/// Called on event-loop threads: `write(line:)` must queue the line and return, never wait for
/// the output.
public protocol RequestLogSink: Sendable {
    /// One complete JSON object, without the line feed.
    func write(line: [UInt8])
}

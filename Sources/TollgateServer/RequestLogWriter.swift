import Foundation
import Gateway
import Telemetry

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The request log's output: event-loop threads queue lines (`write(line:)`), and one thread of its
/// own writes them to a file descriptor (standard output in `tollgate serve`).
///
/// **Never blocking a request.** Standard output is often a pipe to a log collector, which can
/// stall; a `write(2)` on it from an event loop would stall every stream of that loop. Here a line
/// costs one append to a buffer under a lock held for that append; the writer thread takes the
/// whole buffer and writes it with as few system calls as it can. When more than `maxPendingBytes`
/// wait (the reader stalled), new lines are dropped and counted in
/// `tollgate_request_log_dropped_total`: memory stays bounded and the requests go on.
///
/// **Batching by time.** Waking the writer for every line would cost each request a futex wake-up,
/// a context switch and a `write(2)` when requests come one at a time. So once a line wakes it, the
/// writer lingers for `flushInterval` (or until `flushBytes` are pending) and writes the batch in
/// one go; a producer signals only the idle writer, or when its line makes the batch `flushBytes`
/// big. The price: a line may reach the output up to `flushInterval` after it was written.
///
/// **Errors.** A failed write (the reader closed the pipe, the disk is full) drops what it held,
/// counted in `tollgate_request_log_write_errors_total`; the writer goes on with the next lines.
/// SIGPIPE is ignored by the server, so a closed pipe is an `EPIPE`, not the end of the process.
///
/// **Shutdown.** `shutdown()` (after the server's drain) writes every line queued before it, at
/// once rather than at the end of the interval.
public final class RequestLogWriter: RequestLogSink {
    private let mailbox = Mailbox()
    private let fileDescriptor: Int32
    private let maxPendingBytes: Int
    private let flushInterval: TimeInterval
    private let flushBytes: Int
    private let dropped: Counter
    private let writeErrors: Counter

    /// - Parameters:
    ///   - fileDescriptor: where the lines go; the writer does not close it.
    ///   - maxPendingBytes: the most bytes waiting for the writer before lines are dropped.
    ///   - flushInterval: how long the writer, once woken, waits for more lines before writing.
    ///   - flushBytes: pending bytes that are written without waiting out `flushInterval`; keep it
    ///     well below `maxPendingBytes`, or lines are dropped while the writer lingers.
    public init(
        fileDescriptor: Int32 = STDOUT_FILENO,
        maxPendingBytes: Int = 16 << 20,
        flushInterval: Duration = .milliseconds(100),
        flushBytes: Int = 64 << 10,
        registry: MetricsRegistry
    ) {
        self.fileDescriptor = fileDescriptor
        self.maxPendingBytes = maxPendingBytes
        let (seconds, attoseconds) = flushInterval.components
        self.flushInterval = Double(seconds) + Double(attoseconds) / 1e18
        self.flushBytes = flushBytes
        dropped = registry.counter(
            "tollgate_request_log_dropped_total",
            help: "Request log lines dropped because the output did not keep up (or after shutdown)."
        )
        writeErrors = registry.counter(
            "tollgate_request_log_write_errors_total",
            help: "Failed writes of the request log; the lines they held are lost."
        )
        let thread = Thread { [self] in
            run()
        }
        thread.name = "tollgate-request-log"
        thread.start()
    }

    public func write(line: [UInt8]) {
        let condition = mailbox.condition
        condition.lock()
        guard !mailbox.stopping, mailbox.pending.count + line.count < maxPendingBytes else {
            condition.unlock()
            dropped.increment()
            return
        }
        let pendingBefore = mailbox.pending.count
        mailbox.pending.append(contentsOf: line)
        mailbox.pending.append(UInt8(ascii: "\n"))
        // A lingering writer wakes by itself when its interval ends; only an idle one needs a
        // signal, or a lingering one once the batch is big enough to write now.
        let crossedFlushBytes = pendingBefore < flushBytes && mailbox.pending.count >= flushBytes
        if mailbox.writerIdle || crossedFlushBytes {
            mailbox.writerIdle = false
            condition.signal()
        }
        condition.unlock()
    }

    /// Stops taking lines, writes every line already queued, and stops the writer thread. Blocks
    /// until then: for the end of `serve`, never the request path. Calling it again returns at once.
    public func shutdown() {
        let condition = mailbox.condition
        condition.lock()
        defer { condition.unlock() }
        mailbox.stopping = true
        condition.signal()
        while !mailbox.finished {
            condition.wait()
        }
    }

    // MARK: - The writer thread

    private func run() {
        var writing: [UInt8] = []
        while true {
            let condition = mailbox.condition
            condition.lock()
            while mailbox.pending.isEmpty && !mailbox.stopping {
                mailbox.writerIdle = true
                condition.wait()
            }
            mailbox.writerIdle = false
            let deadline = Date(timeIntervalSinceNow: flushInterval)
            while !mailbox.stopping && mailbox.pending.count < flushBytes {
                if !condition.wait(until: deadline) { break }
            }
            // Only this thread empties the buffer: still empty after lingering means shutdown.
            if mailbox.pending.isEmpty {
                mailbox.finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            swap(&writing, &mailbox.pending)
            condition.unlock()
            writeAll(writing)
            writing.removeAll(keepingCapacity: writing.capacity <= 1 << 20)
        }
    }

    /// Writes `bytes` whole, retrying interrupted and partial writes; on an error, drops them.
    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    writeErrors.increment()
                    return
                }
            }
        }
    }

    private final class Mailbox: @unchecked Sendable {
        // @unchecked: every property but `condition` is read and written only while `condition` is
        // locked.
        let condition = NSCondition()
        /// Queued lines, each ending in a line feed.
        var pending: [UInt8] = []
        /// The writer waits on an empty buffer: the next line must signal it.
        var writerIdle = false
        var stopping = false
        var finished = false
    }
}

/// `write(2)`, reachable from inside `RequestLogWriter`, whose `write(line:)` hides the global name.
private func systemWrite(_ fileDescriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fileDescriptor, bytes, count)
}

import Foundation
import Gateway
import Telemetry
import Testing

@testable import TollgateServer

@Suite struct RequestLogTests {
    @Test func theRequestLogIsOnByDefaultAndCanBeTurnedOff() {
        #expect(ConfigLoader.diagnose(yaml: "{}", file: "/t.yaml").config.log.requests)
        let off = ConfigLoader.diagnose(yaml: "log:\n  requests: false\n", file: "/t.yaml")
        #expect(off.errors.isEmpty)
        #expect(!off.config.log.requests)
        let wrong = ConfigLoader.diagnose(yaml: "log:\n  requests: sometimes\n", file: "/t.yaml")
        #expect(wrong.errors.map(\.message) == ["log.requests: expected true or false, got 'sometimes'"])
    }

    /// A pipe standing in for stdout: the writer gets its write end; `readAll` returns what came
    /// through once the write end is closed.
    private struct Pipe: Sendable {
        let read: Int32
        let write: Int32

        init() throws {
            var ends: [Int32] = [0, 0]
            try #require(pipe(&ends) == 0)
            read = ends[0]
            write = ends[1]
        }

        func readAll() -> String {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = Glibc.read(read, &buffer, buffer.count)
                if count <= 0 { break }
                bytes += buffer[0..<count]
            }
            close(read)
            return String(decoding: bytes, as: UTF8.self)
        }

        /// Reads what comes through for `duration`, or until `byteCount` bytes came, each read
        /// after a `poll(2)` bounded by what is left of `duration`; the read end stays open.
        func arrivals(within duration: Duration, untilBytes byteCount: Int = .max) -> [Arrival] {
            let deadline = ContinuousClock.now + duration
            var arrivals: [Arrival] = []
            var received = 0
            var buffer = [UInt8](repeating: 0, count: 65536)
            while received < byteCount {
                let (seconds, attoseconds) = (deadline - ContinuousClock.now).components
                guard seconds > 0 || attoseconds > 0 else { break }
                var readable = pollfd(fd: read, events: Int16(POLLIN), revents: 0)
                let milliseconds = Int32(seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
                guard poll(&readable, 1, milliseconds) > 0 else { continue }
                let count = Glibc.read(read, &buffer, buffer.count)
                if count <= 0 { break }
                received += count
                arrivals.append(Arrival(at: .now, text: String(decoding: buffer[0..<count], as: UTF8.self)))
            }
            return arrivals
        }
    }

    /// One `read(2)` from the pipe: what it returned, and when.
    private struct Arrival {
        let at: ContinuousClock.Instant
        let text: String
    }

    @Test func everyLineQueuedBeforeShutdownIsWrittenInOrder() async throws {
        let pipe = try Pipe()
        let registry = MetricsRegistry()
        let writer = RequestLogWriter(fileDescriptor: pipe.write, registry: registry)
        // More than the pipe holds (64 KiB): the reader keeps it flowing.
        let output = Task.detached { pipe.readAll() }
        let expected = (0..<5000).map { #"{"n":\#($0)}"# }
        for line in expected {
            writer.write(line: Array(line.utf8))
        }
        writer.shutdown()
        writer.write(line: Array("late".utf8))
        close(pipe.write)
        #expect(await output.value == expected.joined(separator: "\n") + "\n")
        #expect(registry.counter("tollgate_request_log_dropped_total", help: "").value == 1)
    }

    @Test func aStalledReaderCostsLinesNeverWaiting() async throws {
        let pipe = try Pipe()
        let registry = MetricsRegistry()
        // Nobody reads yet: the pipe fills, the writer thread blocks in write(2), the queue reaches
        // its cap, and further lines are dropped at once.
        let writer = RequestLogWriter(fileDescriptor: pipe.write, maxPendingBytes: 4096, registry: registry)
        let line = Array(repeating: UInt8(ascii: "x"), count: 99)
        let started = ContinuousClock.now
        for _ in 0..<10_000 {
            writer.write(line: line)
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        let dropped = registry.counter("tollgate_request_log_dropped_total", help: "").value
        #expect(dropped > 9000)
        let output = Task.detached { pipe.readAll() }
        writer.shutdown()
        close(pipe.write)
        let written = await output.value.split(separator: "\n")
        #expect(written.allSatisfy { $0.utf8.count == 99 })
        #expect(written.count + dropped == 10_000)
    }

    @Test func linesWithinOneFlushIntervalReachTheOutputInOneWrite() throws {
        let pipe = try Pipe()
        let writer = RequestLogWriter(
            fileDescriptor: pipe.write,
            flushInterval: .milliseconds(400),
            registry: MetricsRegistry()
        )
        defer {
            writer.shutdown()
            close(pipe.write)
            close(pipe.read)
        }
        // One request at a time: a line every 5 ms (the pipe is watched meanwhile), ~50 ms in all,
        // far inside the interval even if this thread is descheduled for a while.
        let lines = (0..<10).map { #"{"n":\#($0)}"# }
        let expected = lines.joined(separator: "\n") + "\n"
        let firstLineWritten = ContinuousClock.now
        var arrivals: [Arrival] = []
        for line in lines {
            writer.write(line: Array(line.utf8))
            arrivals += pipe.arrivals(within: .milliseconds(5))
        }
        let received = arrivals.reduce(0) { $0 + $1.text.utf8.count }
        arrivals += pipe.arrivals(within: .seconds(2), untilBytes: expected.utf8.count - received)
        // One write(2) of fewer than PIPE_BUF bytes is read whole: one arrival holds every line.
        #expect(arrivals.map(\.text) == [expected])
        let firstArrival = try #require(arrivals.first).at
        #expect(firstArrival - firstLineWritten >= .milliseconds(200))
    }

    @Test func crossingFlushBytesWritesWithoutWaitingTheInterval() throws {
        let pipe = try Pipe()
        let writer = RequestLogWriter(
            fileDescriptor: pipe.write,
            flushInterval: .seconds(10),
            flushBytes: 100,
            registry: MetricsRegistry()
        )
        defer {
            writer.shutdown()
            close(pipe.write)
            close(pipe.read)
        }
        // 31 bytes a line with its line feed: three stay under 100 bytes, the fourth crosses it.
        let line = String(repeating: "x", count: 30)
        for _ in 0..<3 {
            writer.write(line: Array(line.utf8))
        }
        #expect(pipe.arrivals(within: .milliseconds(200)).isEmpty)
        writer.write(line: Array(line.utf8))
        let expected = String(repeating: line + "\n", count: 4)
        let arrivals = pipe.arrivals(within: .seconds(2), untilBytes: expected.utf8.count)
        #expect(arrivals.map(\.text).joined() == expected)
    }

    @Test func shutdownWritesQueuedLinesWithoutWaitingTheInterval() throws {
        let pipe = try Pipe()
        let writer = RequestLogWriter(
            fileDescriptor: pipe.write,
            flushInterval: .seconds(10),
            registry: MetricsRegistry()
        )
        let lines = (0..<3).map { #"{"n":\#($0)}"# }
        for line in lines {
            writer.write(line: Array(line.utf8))
        }
        // The writer is lingering now, with ten seconds to go.
        #expect(pipe.arrivals(within: .milliseconds(100)).isEmpty)
        let shutDown = DispatchSemaphore(value: 0)
        Thread {
            writer.shutdown()
            shutDown.signal()
        }.start()
        let returned = shutDown.wait(timeout: .now() + 2) == .success
        #expect(returned)
        let expected = lines.joined(separator: "\n") + "\n"
        #expect(pipe.arrivals(within: .seconds(2), untilBytes: expected.utf8.count).map(\.text).joined() == expected)
        // After a hung shutdown both ends stay open: the writer thread may still write.
        if returned {
            close(pipe.write)
            close(pipe.read)
        }
    }
}

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
}

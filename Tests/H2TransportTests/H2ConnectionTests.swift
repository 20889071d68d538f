import Foundation
import Logging
import Telemetry
import Testing

@testable import H2Transport

/// Echoes each message back, finishes OK on half-close, and records cancellations.
private final class EchoCall: GRPCStreamHandler {
    let log: CallLog
    init(log: CallLog) { self.log = log }

    func didReceive(message: UnsafeRawBufferPointer, responder: GRPCResponder) {
        let bytes = Array(message)
        if bytes == Array("finish-now".utf8) {
            responder.finish(GRPCStatus(code: .aborted, message: "asked to finish"))
            return
        }
        responder.send(byteCount: bytes.count) { $0.copyBytes(from: bytes) }
    }

    func didReceiveEnd(responder: GRPCResponder) { responder.finish(.ok) }
    func didCancel() { log.cancelled.withLock { $0 += 1 } }
}

private final class CallLog: Sendable {
    let cancelled = Mutex(0)
}

import Synchronization

private struct EchoService: GRPCService {
    let log: CallLog
    func makeStreamHandler(method: String) -> (any GRPCStreamHandler)? {
        method == "/test.Echo/Echo" ? EchoCall(log: log) : nil
    }
}

/// One server loop thread with one connection attached to a socketpair.
private final class Harness: @unchecked Sendable {
    let loop: EventLoop
    let registry = MetricsRegistry()
    let log = CallLog()
    let client: H2TestClient
    private var thread = pthread_t()

    init(maxMessageBytes: Int = 1 << 20) throws {
        loop = try EventLoop(index: 0)
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let serverFD = fds[0]
        _ = fcntl(serverFD, F_SETFL, fcntl(serverFD, F_GETFL) | O_NONBLOCK)
        client = H2TestClient(fd: fds[1])
        let metrics = TransportMetrics(registry: registry)
        let service = EchoService(log: log)
        let loop = self.loop
        loop.execute {
            let context = H2ServerContext(
                service: service, health: HealthService(servedServices: ["test.Echo"], isDraining: { false }),
                settings: H2Settings(), maxMessageBytes: maxMessageBytes, metrics: metrics, logger: Logger(label: "test"))
            try! H2Connection(fd: serverFD, loop: loop, context: context).start()
        }
        let box = Unmanaged.passRetained(loop)
        pthread_create(&thread, nil, { Unmanaged<EventLoop>.fromOpaque($0!).takeRetainedValue().run(); return nil }, box.toOpaque())
    }

    func shutdown() {
        loop.stop()
        pthread_join(thread, nil)
    }
}

private func framed(_ payload: [UInt8]) -> [UInt8] {
    let n = payload.count
    return [0, UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + payload
}

@Suite(.serialized) struct H2ConnectionTests {
    @Test func echoesMessagesAndEndsWithOKOnHalfClose() throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        let id = harness.client.startCall(path: "/test.Echo/Echo", body: framed(Array("one".utf8)) + framed(Array("two".utf8)), endStream: true)
        harness.client.pump { $0.responses[id]?.closed == true }
        let response = try #require(harness.client.responses[id])
        #expect(response.headers[":status"] == "200")
        #expect(response.headers["content-type"] == "application/grpc")
        #expect(response.messages == [Array("one".utf8), Array("two".utf8)])
        #expect(response.trailers["grpc-status"] == "0")
    }

    @Test func handlerCanFinishWithAnErrorStatus() throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        let id = harness.client.startCall(path: "/test.Echo/Echo", body: framed(Array("finish-now".utf8)), endStream: false)
        harness.client.pump { $0.responses[id]?.headers["grpc-status"] != nil || $0.responses[id]?.trailers["grpc-status"] != nil }
        let response = try #require(harness.client.responses[id])
        #expect((response.trailers["grpc-status"] ?? response.headers["grpc-status"]) == "10")
        #expect((response.trailers["grpc-message"] ?? response.headers["grpc-message"]) == "asked to finish")
    }

    @Test func unknownMethodIsUnimplemented() throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        let id = harness.client.startCall(path: "/test.Nope/Nope", body: framed([]), endStream: true)
        harness.client.pump { $0.responses[id]?.closed == true }
        #expect(harness.client.responses[id]?.headers["grpc-status"] == "12")
    }

    @Test func healthCheckAnswersServing() throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        let id = harness.client.startCall(path: "/grpc.health.v1.Health/Check", body: framed([]), endStream: true)
        harness.client.pump { $0.responses[id]?.closed == true }
        let response = try #require(harness.client.responses[id])
        #expect(response.messages == [[0x08, 0x01]])
        #expect(response.trailers["grpc-status"] == "0")
    }

    @Test func oversizedMessageIsResourceExhaustedAndConnectionLives() throws {
        let harness = try Harness(maxMessageBytes: 1024)
        defer { harness.shutdown() }
        let big = harness.client.startCall(path: "/test.Echo/Echo", body: framed(Array(repeating: 1, count: 4096)), endStream: true)
        harness.client.pump { $0.responses[big]?.closed == true }
        #expect(harness.client.responses[big]?.headers["grpc-status"] == "8")
        let small = harness.client.startCall(path: "/test.Echo/Echo", body: framed(Array("ok".utf8)), endStream: true)
        harness.client.pump { $0.responses[small]?.closed == true }
        #expect(harness.client.responses[small]?.messages == [Array("ok".utf8)])
    }

    @Test func resetByPeerCancelsTheCallAndConnectionLives() throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        let id = harness.client.startCall(path: "/test.Echo/Echo", body: framed(Array("a".utf8)), endStream: false)
        harness.client.pump { $0.responses[id]?.messages.count == 1 }
        harness.client.reset(id)
        harness.client.pump(timeout: 2) { _ in harness.log.cancelled.withLock { $0 } == 1 }
        #expect(harness.log.cancelled.withLock { $0 } == 1)
        let next = harness.client.startCall(path: "/test.Echo/Echo", body: framed(Array("b".utf8)), endStream: true)
        harness.client.pump { $0.responses[next]?.closed == true }
        #expect(harness.client.responses[next]?.trailers["grpc-status"] == "0")
    }

    @Test func manyResetsDoNotTripTheRapidResetDefence() throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        // Like Envoy: every call is answered, then reset by the client at request end.
        for _ in 0..<2_000 {
            let id = harness.client.startCall(path: "/test.Echo/Echo", body: framed([1]), endStream: false)
            harness.client.pump { $0.responses[id]?.messages.count == 1 }
            harness.client.reset(id)
        }
        let last = harness.client.startCall(path: "/test.Echo/Echo", body: framed(Array("alive".utf8)), endStream: true)
        harness.client.pump(timeout: 10) { $0.responses[last]?.closed == true }
        #expect(!harness.client.goawayReceived)
        #expect(harness.client.responses[last]?.messages == [Array("alive".utf8)])
    }

    @Test func garbagePrefaceClosesTheConnection() throws {
        let harness = try Harness()
        defer { harness.shutdown() }
        harness.client.sendRaw(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        var buffer = [UInt8](repeating: 0, count: 4096)
        var closed = false
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline {
            var poller = pollfd(fd: harness.client.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            if recv(harness.client.fd, &buffer, buffer.count, 0) <= 0 {
                closed = true
                break
            }
        }
        #expect(closed)
    }
}

import Logging
import Testing

@testable import H2Transport

#if canImport(Glibc)
import Glibc
#endif

/// The admin server's own socket tests: a real loopback listener on port 0, a blocking client.
@Suite struct AdminServerTests {
    private static let logger = Logger(label: "admin-test", factory: { _ in SwiftLogNoOpLogHandler() })

    private func withServer(_ body: (AdminServer) throws -> Void) throws {
        let server = try AdminServer(host: "127.0.0.1", port: 0, metrics: { "up 1\n" }, logger: Self.logger)
        try server.start()
        defer { server.stop() }
        try body(server)
    }

    @Test func servesHealthReadinessAndMetrics() throws {
        try withServer { server in
            #expect(server.port != 0)
            let health = try exchange(port: server.port, ["GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"])
            #expect(health.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(health.contains("Connection: close\r\n"))
            #expect(health.hasSuffix("\r\n\r\nok"))
            #expect(try exchange(port: server.port, ["GET /readyz HTTP/1.1\r\n\r\n"]).hasPrefix("HTTP/1.1 503 "))
            server.markReady()
            #expect(try exchange(port: server.port, ["GET /readyz HTTP/1.1\r\n\r\n"]).hasPrefix("HTTP/1.1 200 "))
            let metrics = try exchange(port: server.port, ["GET /metrics HTTP/1.1\r\n\r\n"])
            #expect(metrics.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
            #expect(metrics.hasSuffix("\r\n\r\nup 1\n"))
        }
    }

    @Test func answersErrorsAndKeepsServing() throws {
        try withServer { server in
            #expect(try exchange(port: server.port, ["GET /nope HTTP/1.1\r\n\r\n"]).hasPrefix("HTTP/1.1 404 "))
            let post = try exchange(
                port: server.port,
                ["POST /healthz HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"]
            )
            #expect(post.hasPrefix("HTTP/1.1 405 "))
            #expect(try exchange(port: server.port, ["\u{16}\u{03}\u{01} garbage\r\n\r\n"]).hasPrefix("HTTP/1.1 400 "))
            let huge = "GET /healthz HTTP/1.1\r\nX: " + String(repeating: "a", count: 9000) + "\r\n\r\n"
            #expect(try exchange(port: server.port, [huge]).hasPrefix("HTTP/1.1 431 "))
            // A client that connects and leaves without a word must not hurt the next one.
            close(try connect(port: server.port))
            // Bare line feeds, as from `printf | nc`.
            let bare = try exchange(port: server.port, ["GET /healthz HTTP/1.1\nHost: x\n\n"])
            #expect(bare.hasPrefix("HTTP/1.1 200 "))
            // The blank line split across two writes.
            let split = try exchange(port: server.port, ["GET /healthz HTTP/1.1\r\n\r", "\n"])
            #expect(split.hasPrefix("HTTP/1.1 200 "))
        }
    }

    @Test func aTakenPortFailsAndStopFreesTheEndpoint() throws {
        let server = try AdminServer(host: "127.0.0.1", port: 0, metrics: { "" }, logger: Self.logger)
        #expect(throws: SystemError.self) {
            _ = try AdminServer(host: "127.0.0.1", port: server.port, metrics: { "" }, logger: Self.logger)
        }
        try server.start()
        server.stop()
        server.stop()
        #expect(throws: SystemError.self) { try connect(port: server.port) }
    }

    @Test func stopWithoutStartClosesTheSocket() throws {
        let server = try AdminServer(host: "localhost", port: 0, metrics: { "" }, logger: Self.logger)
        server.stop()
        #expect(throws: SystemError.self) { try connect(port: server.port) }
    }

    @Test func rejectsUnresolvableHosts() {
        #expect(throws: SystemError.self) {
            _ = try AdminServer(host: "not an address", port: 0, metrics: { "" }, logger: Self.logger)
        }
    }
}

/// A blocking client socket connected to 127.0.0.1:`port`, with a 5 s receive timeout.
private func connect(port: Int) throws(SystemError) -> Int32 {
    let fd = try systemCall("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0) }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
    do {
        _ = try withUnsafePointer(to: &address) { (pointer) throws(SystemError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (socketAddress) throws(SystemError) in
                try systemCall("connect") {
                    Glibc.connect(fd, socketAddress, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    } catch {
        close(fd)
        throw error
    }
    return fd
}

/// Connects, writes each chunk with a short pause between, and reads the reply until the server
/// closes the connection.
private func exchange(port: Int, _ chunks: [String]) throws(SystemError) -> String {
    let fd = try connect(port: port)
    defer { close(fd) }
    for (index, chunk) in chunks.enumerated() {
        if index > 0 {
            usleep(20_000)
        }
        let bytes = Array(chunk.utf8)
        _ = try systemCall("send") { send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) }
    }
    var reply: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let received = try systemCall("recv") { recv(fd, &buffer, buffer.count, 0) }
        if received == 0 {
            return String(decoding: reply, as: UTF8.self)
        }
        reply += buffer[0..<received]
    }
}

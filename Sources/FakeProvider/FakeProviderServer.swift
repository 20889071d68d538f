import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fake provider's HTTP/1.1 server: blocking sockets, one thread per connection, keep-alive.
///
/// It serves a quick start and tests, not traffic, so simplicity wins over throughput, in the style
/// of the admin endpoint (`H2Transport/Admin`). The socket is bound in `init`, so the port is known
/// (and a taken port fails) before `run()`.
public final class FakeProviderServer: Sendable {
    public let host: String
    /// The bound port: the one asked for, or the kernel's choice for 0.
    public let port: Int
    private let listenFD: Int32
    private let responder: FakeProviderResponder

    public struct SystemError: Error, CustomStringConvertible {
        public let operation: String
        public let code: Int32

        public var description: String {
            "\(operation): \(String(cString: strerror(code)))"
        }
    }

    public init(host: String, port: Int, responder: FakeProviderResponder) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let info = list else {
            throw SystemError(operation: "getaddrinfo(\(host))", code: EINVAL)
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else {
            throw SystemError(operation: "socket", code: errno)
        }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let code = errno
            close(fd)
            throw SystemError(operation: "bind \(host):\(port)", code: code)
        }
        guard listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw SystemError(operation: "listen", code: code)
        }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw SystemError(operation: "getsockname", code: code)
        }
        let boundPort: UInt16 =
            address.ss_family == sa_family_t(AF_INET6)
            ? withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            : withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            }
        self.host = host
        self.port = Int(boundPort)
        self.listenFD = fd
        self.responder = responder
    }

    /// Accepts connections until the process ends.
    public func run() -> Never {
        while true {
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE {
                    if errno != EINTR {
                        usleep(10_000)
                    }
                    continue
                }
                fatalError("fake-provider: accept failed: \(String(cString: strerror(errno)))")
            }
            let responder = self.responder
            let thread = Thread {
                Self.serve(connection: client, responder: responder)
            }
            thread.start()
        }
    }

    private static func serve(connection fd: Int32, responder: FakeProviderResponder) {
        defer { close(fd) }
        var reader = HTTPRequestReader()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            switch reader.next() {
            case .request(let request):
                let response = responder.respond(to: request)
                guard sendAll(fd, response.serialized(close: request.wantsClose)), !request.wantsClose else {
                    return
                }
                continue
            case .invalid(let reason):
                let response = HTTPResponse(
                    status: 400,
                    headers: [("content-type", "text/plain")],
                    body: Array("bad request: \(reason)\n".utf8)
                )
                _ = sendAll(fd, response.serialized(close: true))
                return
            case .needMore:
                break
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR {
                continue
            }
            guard count > 0 else {
                return
            }
            reader.append(buffer[0..<count])
        }
    }

    private static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR {
                    continue
                }
                return false
            }
            offset += sent
        }
        return true
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Opens the admin endpoint's listening socket.
///
/// The listener is non-blocking so that a connection reset between `poll` and `accept` cannot park
/// the admin thread in `accept`, where it would miss the stop signal. Accepted sockets are blocking.
enum AdminListener {
    /// Binds and listens on `host:port` (a name or a numeric IPv4/IPv6 address; empty means every
    /// address). Returns the descriptor and the bound port, which differs from `port` when it is 0.
    static func open(host: String, port: Int) throws(SystemError) -> (fd: Int32, port: Int) {
        guard (0...65535).contains(port) else {
            throw SystemError(call: "admin port \(port)", errno: EINVAL)
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var addresses: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &addresses)
        guard resolved == 0, let first = addresses else {
            let reason = String(cString: gai_strerror(resolved))
            throw SystemError(call: "resolve admin host '\(host)' (\(reason))", errno: EADDRNOTAVAIL)
        }
        defer { freeaddrinfo(first) }
        // Try each address until one binds; report the last failure otherwise.
        var lastError = SystemError(call: "bind admin \(host):\(port)", errno: EADDRNOTAVAIL)
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            candidate = address.pointee.ai_next
            do {
                let fd = try bindAndListen(address.pointee, description: "\(host):\(port)")
                return (fd, boundPort(of: fd) ?? port)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// SO_REUSEADDR lets a restarted server bind while the connections it closed sit in TIME_WAIT;
    /// on Linux it never lets two listeners share a port, so a second server still fails at startup.
    /// SO_REUSEPORT, which would, stays off.
    private static func bindAndListen(_ address: addrinfo, description: String) throws(SystemError) -> Int32 {
        let fd = try systemCall("socket(admin)") {
            socket(
                address.ai_family,
                address.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue),
                address.ai_protocol
            )
        }
        do {
            var on: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
            _ = try systemCall("bind(admin \(description))") { bind(fd, address.ai_addr, address.ai_addrlen) }
            _ = try systemCall("listen(admin)") { listen(fd, 64) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    private static func boundPort(of fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard named else {
            return nil
        }
        return withUnsafePointer(to: &storage) { pointer in
            switch Int32(pointer.pointee.ss_family) {
            case AF_INET:
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin_port))
                }
            case AF_INET6:
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            default:
                nil
            }
        }
    }
}

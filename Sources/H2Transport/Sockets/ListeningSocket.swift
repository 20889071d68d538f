private import CShims

#if canImport(Glibc)
import Glibc
#endif

/// A bound, listening, non-blocking socket. Owns its file descriptor.
///
/// Every event loop watches the same listening socket with `EPOLLEXCLUSIVE`, so the kernel wakes one
/// loop per incoming connection and connections spread across threads without a lock or a hand-off.
final class ListeningSocket: Sendable {
    let fd: Int32
    let address: ListenAddress
    /// The port actually bound, for TCP listeners asked for port 0.
    let boundPort: Int?

    init(address: ListenAddress, backlog: Int32 = 1024) throws(SystemError) {
        let family: Int32
        switch address {
        case .tcp(let host, _): family = host.contains(":") ? AF_INET6 : AF_INET
        case .unix: family = AF_UNIX
        }
        let fd = try systemCall("socket") {
            socket(
                family,
                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                0
            )
        }
        do throws(SystemError) {
            try Self.bind(fd, to: address)
            _ = try systemCall("listen(\(address))") { listen(fd, backlog) }
        } catch {
            Glibc.close(fd)
            throw error
        }
        self.fd = fd
        self.address = address
        self.boundPort = Self.localPort(of: fd)
    }

    private static func bind(_ fd: Int32, to address: ListenAddress) throws(SystemError) {
        switch address {
        case .tcp(let host, let port):
            var on: Int32 = 1
            // SO_REUSEADDR only lets a restarted server bind while old connections sit in TIME_WAIT;
            // SO_REUSEPORT stays off so a second server on the same port fails loudly.
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
            if host.contains(":") {
                var addr = sockaddr_in6()
                addr.sin6_family = sa_family_t(AF_INET6)
                addr.sin6_port = in_port_t(UInt16(port).bigEndian)
                guard inet_pton(AF_INET6, host, &addr.sin6_addr) == 1 else {
                    throw SystemError(call: "inet_pton(\(host))", errno: EINVAL)
                }
                try bind(fd, &addr, address)
            } else {
                var addr = sockaddr_in()
                addr.sin_family = sa_family_t(AF_INET)
                addr.sin_port = in_port_t(UInt16(port).bigEndian)
                guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
                    throw SystemError(call: "inet_pton(\(host))", errno: EINVAL)
                }
                try bind(fd, &addr, address)
            }
        case .unix(let path, let mode):
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let pathBytes = Array(path.utf8)
            guard pathBytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
                throw SystemError(call: "unix socket path too long: \(path)", errno: ENAMETOOLONG)
            }
            // A socket file left by a process that died would make bind fail with EADDRINUSE.
            removeStaleSocket(at: path)
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                raw.copyBytes(from: pathBytes)
                raw[pathBytes.count] = 0
            }
            try bind(fd, &addr, address)
            if let mode, chmod(path, mode_t(mode)) != 0 {
                throw SystemError(call: "chmod(\(path), \(String(mode, radix: 8)))", errno: errno)
            }
        }
    }

    private static func bind<Address>(_ fd: Int32, _ addr: inout Address, _ address: ListenAddress) throws(SystemError)
    {
        let size = socklen_t(MemoryLayout<Address>.size)
        let result = withUnsafePointer(to: &addr) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, size) }
        }
        if result != 0 { throw SystemError(call: "bind(\(address))", errno: errno) }
    }

    /// Accepts one pending connection, or returns nil when none is waiting.
    func accept() throws(SystemError) -> Int32? {
        try nonBlockingCall(
            "accept4",
            { tollgate_accept4(fd, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)) }
        )
    }

    deinit {
        close(fd)
        if case .unix(let path, _) = address { unlink(path) }
    }

    private static func removeStaleSocket(at path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK else { return }
        unlink(path)
    }

    private static func localPort(of fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            }
        default:
            return nil
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Serves one request on one accepted, blocking socket, then closes it.
///
/// The admin thread handles connections one at a time, so every read and write has a timeout:
/// a client that stalls can hold the endpoint for `ioTimeoutSeconds` at most.
struct AdminConnection {
    /// Larger request heads are answered with 431; probes and scrapers send a few hundred bytes.
    static let maxHeadBytes = 8192
    static let ioTimeoutSeconds = 2
    /// How long we keep reading after our response, so unread request bytes do not make the
    /// kernel send a reset that would discard the response before the client reads it.
    static let lingerMilliseconds = 200
    static let maxLingerBytes = 64 * 1024

    let fd: Int32

    func serve(router: AdminRouter) {
        defer { close(fd) }
        setTimeout(SO_RCVTIMEO, seconds: Self.ioTimeoutSeconds)
        setTimeout(SO_SNDTIMEO, seconds: Self.ioTimeoutSeconds)
        let response: AdminResponse
        switch readHead() {
        case .head(let head):
            response = router.response(to: AdminRequestHead(parsing: head))
        case .tooLarge:
            response = AdminResponse(status: .requestHeaderFieldsTooLarge, body: "request head too large\n")
        case .closed:
            return
        }
        write(response.serialized())
        linger()
    }

    private enum ReadResult {
        /// The bytes before the blank line that ends the head.
        case head(ArraySlice<UInt8>)
        case tooLarge
        /// End of stream, timeout or error before a whole head arrived: nothing to answer.
        case closed
    }

    private func readHead() -> ReadResult {
        var buffer = [UInt8](repeating: 0, count: Self.maxHeadBytes)
        var filled = 0
        while filled < buffer.count {
            let received = buffer.withUnsafeMutableBytes { raw in
                recv(fd, raw.baseAddress! + filled, raw.count - filled, 0)
            }
            if received < 0 && errno == EINTR {
                continue
            }
            guard received > 0 else {
                return .closed
            }
            // The blank line may straddle two reads; its longest form, `\n\r\n`, is three bytes.
            let searchStart = max(0, filled - 3)
            filled += received
            if let end = Self.endOfHead(in: buffer[searchStart..<filled]) {
                return .head(buffer[0..<end])
            }
        }
        return .tooLarge
    }

    /// Where the request head ends: at the line feed before the blank line. Bare `\n` line endings
    /// are accepted too (RFC 9112 section 2.2), so `printf ... | nc` works from a shell.
    private static func endOfHead(in bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        while let lineFeed = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) {
            var next = lineFeed + 1
            if next < bytes.endIndex, bytes[next] == UInt8(ascii: "\r") {
                next += 1
            }
            if next < bytes.endIndex, bytes[next] == UInt8(ascii: "\n") {
                return lineFeed
            }
            index = lineFeed + 1
        }
        return nil
    }

    /// Writes everything or gives up quietly: the client may be gone, which is its business.
    private func write(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            // MSG_NOSIGNAL: a peer that closed early must not kill the process with SIGPIPE.
            let result = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if result < 0 && errno == EINTR {
                continue
            }
            guard result > 0 else {
                return
            }
            sent += result
        }
    }

    private func linger() {
        shutdown(fd, Int32(SHUT_WR))
        var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var discarded = 0
        var scratch = [UInt8](repeating: 0, count: 4096)
        while discarded < Self.maxLingerBytes, poll(&pollFD, 1, Int32(Self.lingerMilliseconds)) > 0 {
            let received = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            guard received > 0 else {
                return
            }
            discarded += received
        }
    }

    private func setTimeout(_ option: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, option, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}

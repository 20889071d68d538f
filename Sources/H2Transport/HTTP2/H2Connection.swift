private import CNGHTTP2
private import CShims
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// One accepted h2c connection: its socket, its nghttp2 server session, and its gRPC calls.
///
/// Lives on one event loop's thread from accept to close. nghttp2 turns bytes into callbacks and
/// callbacks into bytes; this class moves those bytes between the socket and nghttp2, and routes
/// the callbacks (in `H2Connection+Callbacks.swift`) to the calls' handlers.
final class H2Connection: EventLoopSource {
    let fd: Int32
    unowned let loop: EventLoop
    let context: H2ServerContext
    var session: OpaquePointer!
    var streams: [Int32: GRPCServerStream] = [:]

    private var pendingWrite: [UInt8] = []
    private var pendingWriteOffset = 0
    private var watchingWritable = false
    /// Run after the next flush has handed its bytes to the socket (`GRPCResponder.afterWrite`).
    private var writeFollowUps: [() -> Void] = []
    /// While nghttp2 is consuming input, responses are only queued; the read path flushes once after.
    private var isReceiving = false
    private var isDraining = false
    private(set) var isClosed = false

    init(fd: Int32, loop: EventLoop, context: H2ServerContext) throws(H2Error) {
        self.fd = fd
        self.loop = loop
        self.context = context
        var on: Int32 = 1
        // ext_proc replies are small and latency-bound; Nagle would hold them back.
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        session = try H2SessionFactory.makeServerSession(for: self, settings: context.settings)
    }

    deinit {
        if let session { nghttp2_session_del(session) }
    }

    /// Registers with the loop and sends our SETTINGS first, before reading anything.
    func start() throws(SystemError) {
        try loop.register(fd: fd, source: self, events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue)
        context.connectionOpened(self)
        flush()
    }

    func handleEvents(_ events: UInt32) {
        if events & EPOLLOUT.rawValue != 0 { flush() }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            readAvailable()
        }
    }

    private func readAvailable() {
        let buffer = loop.readBuffer
        // Bounded so one busy connection cannot starve the others on this loop.
        for _ in 0..<16 {
            guard !isClosed else { return }
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 {
                isReceiving = true
                let consumed = nghttp2_session_mem_recv(
                    session,
                    buffer.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    count
                )
                isReceiving = false
                if consumed < 0 {
                    failConnection(code: Int32(consumed))
                    return
                }
                if count < buffer.count { break }
            } else if count == 0 {
                close(reason: "peer closed")
                return
            } else {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { break }
                close(reason: "recv: \(String(cString: strerror(code)))")
                return
            }
        }
        flush()
    }

    /// nghttp2 rejected the input: send its GOAWAY if it queued one, then close.
    private func failConnection(code: Int32) {
        context.metrics.error(.h2Protocol)
        let reason = String(cString: nghttp2_strerror(code))
        context.logger.debug("closing connection on HTTP/2 error", metadata: ["error": "\(reason)"])
        if code != NGHTTP2_ERR_BAD_CLIENT_MAGIC.rawValue { flush(closeWhenIdle: false) }
        close(reason: reason)
    }

    /// Moves nghttp2's output to the socket, batching frames into as few writes as possible.
    func flush(closeWhenIdle: Bool = true) {
        guard !isClosed else { return }
        // Also when the socket is full: the bytes are queued, and the work must not wait on the peer.
        defer { runAfterWrite() }
        while true {
            if pendingWriteOffset < pendingWrite.count {
                guard writePending() else { return }
            }
            var data: UnsafePointer<UInt8>?
            var produced = 0
            // Gather frames until there is nothing left or a sizeable batch is ready.
            while produced < 256 * 1024 {
                let length = nghttp2_session_mem_send(session, &data)
                if length < 0 {
                    close(reason: String(cString: nghttp2_strerror(Int32(length))))
                    return
                }
                if length == 0 { break }
                pendingWrite.append(contentsOf: UnsafeBufferPointer(start: data, count: length))
                produced += length
            }
            if produced == 0 { break }
        }
        if closeWhenIdle && nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0 {
            close(reason: "session finished")
        }
    }

    /// Writes what is queued; returns false when the socket is full (EPOLLOUT will resume us).
    private func writePending() -> Bool {
        while pendingWriteOffset < pendingWrite.count {
            let written = pendingWrite.withUnsafeBytes { bytes in
                Glibc.send(
                    fd,
                    bytes.baseAddress! + pendingWriteOffset,
                    bytes.count - pendingWriteOffset,
                    Int32(MSG_NOSIGNAL)
                )
            }
            if written > 0 {
                pendingWriteOffset += written
                continue
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK {
                watchWritable(true)
                return false
            }
            close(reason: "send: \(String(cString: strerror(code)))")
            return false
        }
        pendingWriteOffset = 0
        if pendingWrite.capacity > 1024 * 1024 {
            pendingWrite = []
        } else {
            pendingWrite.removeAll(keepingCapacity: true)
        }
        watchWritable(false)
        return true
    }

    private func watchWritable(_ watch: Bool) {
        guard watch != watchingWritable else { return }
        watchingWritable = watch
        let base = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
        loop.modify(fd: fd, events: watch ? base | EPOLLOUT.rawValue : base)
    }

    /// Responses queued outside the read path (timers, drain) must be flushed by whoever queued them.
    func flushIfIdle() {
        if !isReceiving { flush() }
    }

    func afterWrite(_ work: @escaping () -> Void) {
        guard !isClosed else { return work() }
        writeFollowUps.append(work)
        // Outside the read path nothing else would flush soon.
        flushIfIdle()
    }

    /// Taken out first: the work may send, and so flush, again.
    private func runAfterWrite() {
        guard !writeFollowUps.isEmpty else { return }
        let work = writeFollowUps
        writeFollowUps.removeAll()
        for item in work { item() }
    }

    /// Announces shutdown: GOAWAY now, so Envoy opens no new streams here, and a final GOAWAY with
    /// the last stream we accepted once in-flight SETTINGS have crossed. In-flight calls finish.
    func beginDrain() {
        guard !isDraining, !isClosed else { return }
        isDraining = true
        nghttp2_submit_shutdown_notice(session)
        flush()
        loop.schedule(afterNanoseconds: 200_000_000) { [weak self] in
            guard let self, !self.isClosed else { return }
            nghttp2_submit_goaway(
                self.session,
                UInt8(NGHTTP2_FLAG_NONE.rawValue),
                nghttp2_session_get_last_proc_stream_id(self.session),
                NGHTTP2_NO_ERROR.rawValue,
                nil,
                0
            )
            self.flush()
        }
    }

    func close(reason: String) {
        guard !isClosed else { return }
        isClosed = true
        loop.deregister(fd: fd)
        Glibc.close(fd)
        let orphans = streams.values
        streams.removeAll()
        runAfterWrite()
        for stream in orphans {
            if !stream.isFinished { stream.handler?.didCancel() }
            context.metrics.streamClosed()
        }
        context.connectionClosed(self)
        context.logger.trace("connection closed", metadata: ["reason": "\(reason)"])
    }
}

private import CShims
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The admin HTTP/1.1 endpoint: `GET /healthz`, `GET /readyz` and `GET /metrics`.
///
/// It runs on its own thread with blocking sockets, one connection at a time, because it serves
/// probes and scrapes, not traffic: keeping it off the event loops means a slow scrape never delays
/// an ext_proc stream, and a stuck event loop still shows up as a failing `/readyz` probe's timeout
/// rather than taking the admin endpoint with it.
///
/// The socket is bound in `init`, so `port` is known (and a taken port fails) before `start()`.
public final class AdminServer: Sendable {
    /// The host the endpoint was asked to bind.
    public let host: String
    /// The bound port: the one asked for, or the kernel's choice when that was 0.
    public let port: Int

    private let listenFD: Int32
    /// An eventfd that `stop()` writes to, waking the thread out of `poll`.
    private let wakeFD: Int32
    private let router: AdminRouter
    private let logger: Logger
    private let state = Mutex<State>(.bound)

    private enum State {
        case bound
        case running(pthread_t)
        case stopped
    }

    public init(
        host: String,
        port: Int,
        metrics: @escaping @Sendable () -> String,
        logger: Logger
    ) throws(SystemError) {
        let listener = try AdminListener.open(host: host, port: port)
        do {
            wakeFD = try systemCall("eventfd(admin)") { eventfd(0, Int32(EFD_CLOEXEC)) }
        } catch {
            close(listener.fd)
            throw error
        }
        self.host = host
        self.port = listener.port
        self.listenFD = listener.fd
        self.router = AdminRouter(metrics: metrics)
        self.logger = logger
    }

    deinit {
        // A running server's thread holds a reference, so only `bound` still owns open descriptors.
        if case .bound = state.withLock({ $0 }) {
            closeDescriptors()
        }
    }

    /// Starts answering requests on the admin thread. Call once.
    public func start() throws(SystemError) {
        try state.withLock { (state) throws(SystemError) in
            guard case .bound = state else {
                preconditionFailure("AdminServer.start() called twice or after stop()")
            }
            var thread = pthread_t()
            // The thread owns a reference to the server until `serve()` returns.
            let context = Unmanaged.passRetained(self).toOpaque()
            let created = pthread_create(
                &thread,
                nil,
                { context in
                    let server = Unmanaged<AdminServer>.fromOpaque(context!).takeRetainedValue()
                    server.serve()
                    return nil
                },
                context
            )
            guard created == 0 else {
                Unmanaged<AdminServer>.fromOpaque(context).release()
                throw SystemError(call: "pthread_create(admin)", errno: created)
            }
            state = .running(thread)
        }
        logger.info("admin endpoint listening", metadata: ["address": "\(host):\(port)"])
    }

    /// `/readyz` answers 200 from now on.
    public func markReady() {
        router.isReady = true
    }

    /// `/readyz` answers 503 again, so load balancers stop sending work while the server drains.
    public func markNotReady() {
        router.isReady = false
    }

    /// Whether `/readyz` answers 200.
    public var isReady: Bool {
        router.isReady
    }

    /// Stops the thread, waits for it and closes the socket, freeing the port. Safe to call again.
    public func stop() {
        let previous = state.withLock { state in
            defer { state = .stopped }
            return state
        }
        switch previous {
        case .bound:
            closeDescriptors()
        case .running(let thread):
            var one: UInt64 = 1
            _ = write(wakeFD, &one, MemoryLayout<UInt64>.size)
            pthread_join(thread, nil)
            closeDescriptors()
        case .stopped:
            return
        }
    }

    /// The admin thread: waits for a connection or the stop signal, and serves connections in turn.
    private func serve() {
        var descriptors = [
            pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&descriptors, nfds_t(descriptors.count), -1)
            if ready < 0 {
                if errno == EINTR {
                    continue
                }
                logger.error("admin endpoint stopped: poll failed", metadata: ["errno": "\(errno)"])
                return
            }
            if descriptors[1].revents != 0 {
                return
            }
            // Without SOCK_NONBLOCK: the connection is served with blocking calls and timeouts.
            let client = tollgate_accept4(listenFD, Int32(SOCK_CLOEXEC.rawValue))
            guard client >= 0 else {
                // EAGAIN: the client reset the connection after poll saw it. Anything else (EMFILE)
                // is retried on the next wake-up; neither is worth more than a debug line.
                logger.debug("admin accept failed", metadata: ["errno": "\(errno)"])
                continue
            }
            AdminConnection(fd: client).serve(router: router)
        }
    }

    private func closeDescriptors() {
        close(listenFD)
        close(wakeFD)
    }
}

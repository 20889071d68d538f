import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An event loop, the thread that runs it, and the acceptors and context that live on it.
final class LoopThread: @unchecked Sendable {
    // @unchecked: `acceptors` and `context` are created and used only on the loop's own thread
    // (inside `execute` or `run`); other threads only call `start`, `beginDrain` and `stop`.
    private let loop: EventLoop
    private let listeners: [ListeningSocket]
    private let makeContext: @Sendable () -> H2ServerContext
    private var context: H2ServerContext?
    private var acceptors: [ConnectionAcceptor] = []
    private var thread: pthread_t?

    init(loop: EventLoop, listeners: [ListeningSocket], makeContext: @escaping @Sendable () -> H2ServerContext) {
        self.loop = loop
        self.listeners = listeners
        self.makeContext = makeContext
    }

    func start() throws {
        let ready = Mutex<(done: Bool, error: (any Error)?)>((false, nil))
        loop.execute { [self] in
            do {
                let context = makeContext()
                self.context = context
                for listener in listeners {
                    let acceptor = ConnectionAcceptor(listener: listener, loop: loop, context: context)
                    try acceptor.start()
                    acceptors.append(acceptor)
                }
                ready.withLock { $0.done = true }
            } catch {
                ready.withLock { $0 = (true, error) }
            }
        }
        let box = Unmanaged.passRetained(loop)
        var handle = pthread_t()
        let created = pthread_create(
            &handle,
            nil,
            { argument in
                let loop = Unmanaged<EventLoop>.fromOpaque(argument!).takeRetainedValue()
                loop.run()
                return nil
            },
            box.toOpaque()
        )
        guard created == 0 else {
            box.release()
            throw SystemError(call: "pthread_create", errno: created)
        }
        thread = handle
        while true {
            let state = ready.withLock { $0 }
            if let error = state.error { throw error }
            if state.done { return }
            usleep(1_000)
        }
    }

    func beginDrain() {
        loop.execute { [self] in
            for acceptor in acceptors { acceptor.stop() }
            for connection in context?.connections.values ?? [:].values { connection.beginDrain() }
        }
    }

    func stop() {
        loop.stop()
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }
}

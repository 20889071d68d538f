private import CShims
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Accepts connections from one listening socket into one event loop.
final class ConnectionAcceptor: EventLoopSource {
    private let listener: ListeningSocket
    private unowned let loop: EventLoop
    private let context: H2ServerContext
    private var isOpen = true

    init(listener: ListeningSocket, loop: EventLoop, context: H2ServerContext) {
        self.listener = listener
        self.loop = loop
        self.context = context
    }

    func start() throws(SystemError) {
        try loop.register(fd: listener.fd, source: self, events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue)
    }

    /// Stops accepting on this loop; the socket itself closes when the server releases it.
    func stop() {
        guard isOpen else { return }
        isOpen = false
        loop.deregister(fd: listener.fd)
    }

    func handleEvents(_ events: UInt32) {
        // Bounded so a connection storm cannot starve the streams already on this loop.
        for _ in 0..<64 {
            guard isOpen else { return }
            let fd: Int32
            do {
                guard let accepted = try listener.accept() else { return }
                fd = accepted
            } catch {
                context.metrics.error(.accept)
                context.logger.warning("accept failed", metadata: ["error": "\(error)"])
                return
            }
            do {
                try H2Connection(fd: fd, loop: loop, context: context).start()
            } catch {
                context.logger.warning("could not set up connection", metadata: ["error": "\(error)"])
                close(fd)
            }
        }
    }
}

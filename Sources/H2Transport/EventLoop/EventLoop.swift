private import CShims
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One thread running epoll: every connection it accepts lives and dies on it.
///
/// All sources, timers and the shared read buffer are touched only by the loop's own thread, so the
/// per-request path takes no lock. The only lock guards `execute`, which other threads use to hand
/// work over (drain, stop); the hot path never calls it.
final class EventLoop: @unchecked Sendable {
    // @unchecked: the mutable state below is confined to the loop thread; cross-thread work goes through
    // `injected`, a Mutex, and the eventfd that wakes the loop.
    let index: Int
    private let epollFD: Int32
    private let wakeFD: Int32
    private var sources: [Int32: any EventLoopSource] = [:]
    private var timers: [(deadline: UInt64, action: () -> Void)] = []
    private let injected = Mutex<[@Sendable () -> Void]>([])
    private let stopped = Atomic<Bool>(false)

    /// Scratch space for `read`, shared by every connection on this loop because a read is consumed
    /// by nghttp2 before the next source runs.
    let readBuffer: UnsafeMutableRawBufferPointer

    init(index: Int, readBufferSize: Int = 256 * 1024) throws(SystemError) {
        self.index = index
        epollFD = try systemCall("epoll_create1", { epoll_create1(Int32(EPOLL_CLOEXEC)) })
        wakeFD = try systemCall("eventfd", { eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC)) })
        readBuffer = .allocate(byteCount: readBufferSize, alignment: 16)
        var event = epoll_event()
        tollgate_epoll_event_set(&event, EPOLLIN.rawValue, wakeFD)
        _ = try systemCall("epoll_ctl(wake)", { epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) })
    }

    deinit {
        close(epollFD)
        close(wakeFD)
        readBuffer.deallocate()
    }

    func register(fd: Int32, source: any EventLoopSource, events: UInt32) throws(SystemError) {
        var event = epoll_event()
        tollgate_epoll_event_set(&event, events, fd)
        _ = try systemCall("epoll_ctl(add)", { epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) })
        sources[fd] = source
    }

    func modify(fd: Int32, events: UInt32) {
        var event = epoll_event()
        tollgate_epoll_event_set(&event, events, fd)
        _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    func deregister(fd: Int32) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
        sources[fd] = nil
    }

    /// Runs `action` on the loop thread after `delay` nanoseconds. Loop thread only.
    func schedule(afterNanoseconds delay: UInt64, _ action: @escaping () -> Void) {
        timers.append((MonotonicClock.nanoseconds() + delay, action))
    }

    /// Runs `task` on the loop thread soon. Safe from any thread.
    func execute(_ task: @escaping @Sendable () -> Void) {
        injected.withLock { $0.append(task) }
        wake()
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        wake()
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// Runs until `stop()`. Call on the thread that owns this loop.
    func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while !stopped.load(ordering: .acquiring) {
            let count = epoll_wait(epollFD, events, Int32(capacity), nextTimeoutMilliseconds())
            if count > 0 {
                for slot in 0..<Int(count) {
                    let fd = tollgate_epoll_event_fd(events + slot)
                    if fd == wakeFD {
                        drainWakeups()
                    } else if let source = sources[fd] {
                        source.handleEvents(tollgate_epoll_event_events(events + slot))
                    }
                }
            }
            runDueTimers()
        }
    }

    private func drainWakeups() {
        var value: UInt64 = 0
        _ = read(wakeFD, &value, 8)
        let tasks = injected.withLock { tasks in
            defer { tasks.removeAll() }
            return tasks
        }
        for task in tasks { task() }
    }

    private func nextTimeoutMilliseconds() -> Int32 {
        guard let earliest = timers.map(\.deadline).min() else { return -1 }
        let now = MonotonicClock.nanoseconds()
        if earliest <= now { return 0 }
        return Int32(min((earliest - now + 999_999) / 1_000_000, 60_000))
    }

    private func runDueTimers() {
        guard !timers.isEmpty else { return }
        let now = MonotonicClock.nanoseconds()
        let due = timers.filter { $0.deadline <= now }
        guard !due.isEmpty else { return }
        timers.removeAll { $0.deadline <= now }
        for timer in due { timer.action() }
    }
}

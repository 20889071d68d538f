/// Something that owns a file descriptor registered with an `EventLoop`.
protocol EventLoopSource: AnyObject {
    /// Called on the loop's thread with the epoll event bits that fired.
    func handleEvents(_ events: UInt32)
}

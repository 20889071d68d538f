/// Makes one `ExtProcStreamHandler` per ext_proc stream. Shared by every event-loop thread, so
/// it must be `Sendable`; the handlers it makes are not shared and need not be.
public protocol ExtProcHandlerFactory: Sendable {
    func makeStreamHandler() -> any ExtProcStreamHandler
}

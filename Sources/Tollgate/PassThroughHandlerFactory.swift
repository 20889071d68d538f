import ExtProc

/// Makes a `PassThroughHandler` for every ext_proc stream.
struct PassThroughHandlerFactory: ExtProcHandlerFactory {
    func makeStreamHandler() -> any ExtProcStreamHandler {
        PassThroughHandler()
    }
}

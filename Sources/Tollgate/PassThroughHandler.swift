import ExtProc

/// Lets every request and response through unchanged.
///
/// `tollgate serve` runs this until the gateway handlers exist; it is also the cheapest correct
/// ext_proc server, which makes it a baseline for the transport's own cost.
final class PassThroughHandler: ExtProcStreamHandler {
    func handle(_ request: ProcessingRequest) -> ProcessingResponse {
        .continue
    }

    func streamDidEnd(_ ending: ExtProcStreamEnding) {}
}

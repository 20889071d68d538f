/// How the Envoy filter on the other end is configured; Envoy sends it in the first message of a
/// stream only, so a handler that needs it later must keep it.
public struct ProtocolConfiguration: Sendable, Hashable {
    public var requestBodyMode: ProcessingMode.BodySendMode
    public var responseBodyMode: ProcessingMode.BodySendMode
    /// Envoy sends body chunks before the reply to the headers arrived.
    public var sendBodyWithoutWaitingForHeaderResponse: Bool

    public init(
        requestBodyMode: ProcessingMode.BodySendMode,
        responseBodyMode: ProcessingMode.BodySendMode,
        sendBodyWithoutWaitingForHeaderResponse: Bool
    ) {
        self.requestBodyMode = requestBodyMode
        self.responseBodyMode = responseBodyMode
        self.sendBodyWithoutWaitingForHeaderResponse = sendBodyWithoutWaitingForHeaderResponse
    }
}

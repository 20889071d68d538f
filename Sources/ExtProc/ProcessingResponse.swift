/// A handler's answer to one `ProcessingRequest` (`envoy.service.ext_proc.v3.ProcessingResponse`).
///
/// The handler decides what happens; which protobuf case carries it follows from the phase of
/// the request being answered, so an answer for the wrong phase cannot be built. For trailers,
/// Envoy reads only a header mutation: `CommonResponse.headerMutation` is sent and the rest of
/// the `CommonResponse` is not.
public struct ProcessingResponse: Sendable, Hashable {
    public enum Decision: Sendable, Hashable {
        /// Apply the changes and let the HTTP exchange go on.
        case `continue`(CommonResponse)
        /// Stop and have Envoy answer the client.
        case immediate(ImmediateResponse)
    }

    public var decision: Decision
    /// Emitted by Envoy as dynamic metadata, one namespace per top-level key.
    public var dynamicMetadata: ProtoStruct?
    /// Changes which later phases Envoy sends for this exchange; honoured in replies to headers.
    public var modeOverride: ProcessingMode?
    /// Envoy treats a message carrying this as "wait longer for my answer" and ignores the rest
    /// of it, so it only makes sense from a processor that answers later in a second message.
    public var overrideMessageTimeout: Duration?

    public init(
        _ decision: Decision,
        dynamicMetadata: ProtoStruct? = nil,
        modeOverride: ProcessingMode? = nil,
        overrideMessageTimeout: Duration? = nil
    ) {
        self.decision = decision
        self.dynamicMetadata = dynamicMetadata
        self.modeOverride = modeOverride
        self.overrideMessageTimeout = overrideMessageTimeout
    }

    /// Continue unchanged.
    public static let `continue` = ProcessingResponse(.continue(CommonResponse()))
}

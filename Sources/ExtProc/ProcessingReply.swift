/// One reply on the wire: a `ProcessingResponse` and the phase of the message it answers, which
/// picks its protobuf case.
///
/// Usually a handler answers the message it was given. Where Envoy sends the next message without
/// waiting for the reply (a FULL_DUPLEX_STREAMED body, or `send_body_without_waiting_for_header_response`
/// with a STREAMED one), a handler may hold a reply and send it after a later message; replies
/// still go out in the order of the messages they answer, which is the order Envoy applies them in.
public struct ProcessingReply: Sendable, Hashable {
    public var phase: ProcessingPhase
    public var response: ProcessingResponse

    public init(answering phase: ProcessingPhase, _ response: ProcessingResponse) {
        self.phase = phase
        self.response = response
    }
}

import H2Transport
import Logging

/// Serves one `Process` call: decodes each message, checks its order with `StateMachine`, asks
/// the handler, and encodes the answer straight into the transport's buffer.
///
/// Lives on the event-loop thread of its connection, like the `GRPCStreamHandler` calls it gets.
final class ExtProcStream: GRPCStreamHandler {
    private let handler: any ExtProcStreamHandler
    private let metrics: ExtProcMetrics
    private let logger: Logger
    private let clock = ContinuousClock()
    private let arena = ProtobufArena()
    private var stateMachine = StateMachine()

    init(handler: any ExtProcStreamHandler, metrics: ExtProcMetrics, logger: Logger) {
        self.handler = handler
        self.metrics = metrics
        self.logger = logger
    }

    func didReceive(message: UnsafeRawBufferPointer, responder: GRPCResponder) {
        // The C trees of this message's request and response live in the arena until here.
        defer { arena.reset() }
        let request: ProcessingRequest
        do {
            request = try ProcessingRequest(protobuf: message, arena: arena)
        } catch {
            switch stateMachine.receiveUndecodableMessage(error) {
            case .protocolViolation(let error):
                end(with: error, responder: responder)
            case .drop:
                break
            }
            return
        }
        metrics.messageReceived(request.phase)
        switch stateMachine.receiveMessage(request.phase, observabilityMode: request.observabilityMode) {
        case .handle(let reply):
            answer(request, reply: reply, responder: responder)
        case .protocolViolation(let error):
            end(with: error, responder: responder)
        case .drop:
            break
        }
    }

    func didReceiveEnd(responder: GRPCResponder) {
        switch stateMachine.receiveEnd() {
        case .finishCall:
            responder.finish(.ok)
            handler.streamDidEnd(.halfClosed)
        case .ignore:
            break
        }
    }

    func didCancel() {
        switch stateMachine.cancel() {
        case .notifyHandler:
            handler.streamDidEnd(.reset)
        case .ignore:
            break
        }
    }

    private func end(with error: ExtProcError, responder: GRPCResponder) {
        metrics.streamFailed(error)
        logger.warning("ext_proc stream ended: \(error)")
        responder.finish(GRPCStatus(code: .invalidArgument, message: error.description))
        handler.streamDidEnd(.protocolError(error))
    }

    private func answer(_ request: ProcessingRequest, reply: Bool, responder: GRPCResponder) {
        let start = clock.now
        let replies = handler.replies(to: request)
        metrics.handlerAnswered(request.phase, after: clock.now - start)
        if reply { send(replies, responder: responder) }
        if handler.hasDeferredWork {
            responder.afterWrite { [handler] in handler.performDeferredWork() }
        }
    }

    private func send(_ replies: [ProcessingReply], responder: GRPCResponder) {
        for reply in replies {
            reply.response.encode(answering: reply.phase, in: arena) { byteCount, pack in
                responder.send(byteCount: byteCount, encode: pack)
            }
            if case .immediate = reply.response.decision {
                // Envoy reads nothing after it; anything later in `replies` would be spurious.
                stateMachine.sendImmediateResponse()
                return
            }
        }
    }
}

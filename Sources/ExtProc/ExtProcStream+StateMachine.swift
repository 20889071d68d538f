extension ExtProcStream {
    /// The ordering rules of one ext_proc stream, apart from any I/O.
    ///
    /// Envoy sends each direction of the HTTP exchange in the order headers, body chunks,
    /// trailers. Its processing mode may skip any part (request headers included), so a part may
    /// be missing but never come back: each direction only moves forward.
    ///
    ///     request:   headers ─▶ body* ─▶ trailers      response:  headers ─▶ body* ─▶ trailers
    ///
    /// The response direction may start once the request headers were seen or skipped; a
    /// response message therefore also closes the request headers. The two directions may
    /// interleave after that (a streamed request body can still flow while the response starts).
    ///
    /// After an immediate response Envoy stops processing the exchange, but messages it sent
    /// before reading it may still arrive; they are dropped without a reply, since a reply Envoy
    /// no longer waits for would be a spurious message to it.
    ///
    /// `State` is private so that only the events below can change it.
    struct StateMachine {
        /// What one direction may still send.
        private enum Awaiting: Equatable {
            /// Nothing seen yet: headers, or a later part if headers are skipped.
            case headers
            /// Headers or body seen: more body, or trailers.
            case bodyOrTrailers
            /// Trailers seen: this direction is done.
            case nothing

            /// Where the direction is after `part`, or `nil` when `part` cannot come now.
            func accepting(_ part: ProcessingPhase.Part) -> Awaiting? {
                switch (self, part) {
                case (.headers, .headers), (.headers, .body), (.bodyOrTrailers, .body): .bodyOrTrailers
                case (.headers, .trailers), (.bodyOrTrailers, .trailers): .nothing
                case (.bodyOrTrailers, .headers), (.nothing, _): nil
                }
            }
        }

        private enum State {
            /// Envoy sends messages and waits for each reply.
            case awaitingMessages(request: Awaiting, response: Awaiting)
            /// We answered with an immediate response; we await only the end of the call.
            case awaitingEndAfterImmediateResponse
            /// The call is over: finished by us, or reset by Envoy.
            case finished
        }

        private var state = State.awaitingMessages(request: .headers, response: .headers)

        enum OnMessage: Equatable {
            /// Give the request to the handler; send its answer only when `reply` is true
            /// (Envoy reads no replies in observability mode).
            case handle(reply: Bool)
            /// Ignore the message.
            case drop
            /// End the call with INVALID_ARGUMENT and tell the handler.
            case protocolViolation(ExtProcError)
        }

        /// A decoded message for `phase` arrived.
        mutating func receiveMessage(_ phase: ProcessingPhase, observabilityMode: Bool) -> OnMessage {
            switch state {
            case .awaitingMessages(var request, var response):
                switch phase.direction {
                case .request:
                    guard let next = request.accepting(phase.part) else { return outOfOrder(phase) }
                    request = next
                case .response:
                    guard let next = response.accepting(phase.part) else { return outOfOrder(phase) }
                    response = next
                    // Request headers can no longer come once the response has started.
                    if request == .headers { request = .bodyOrTrailers }
                }
                state = .awaitingMessages(request: request, response: response)
                return .handle(reply: !observabilityMode)
            case .awaitingEndAfterImmediateResponse, .finished:
                return .drop
            }
        }

        enum OnUndecodableMessage: Equatable {
            case drop
            /// End the call with INVALID_ARGUMENT and tell the handler.
            case protocolViolation(ExtProcError)
        }

        /// A message arrived that could not be decoded (`error`). Unlike a late message after an
        /// immediate response, garbage is never expected, so it ends the call in any open state.
        mutating func receiveUndecodableMessage(_ error: ExtProcError) -> OnUndecodableMessage {
            switch state {
            case .awaitingMessages, .awaitingEndAfterImmediateResponse:
                state = .finished
                return .protocolViolation(error)
            case .finished:
                return .drop
            }
        }

        /// The handler's answer to the last message was an immediate response, and it was sent.
        mutating func sendImmediateResponse() {
            switch state {
            case .awaitingMessages:
                state = .awaitingEndAfterImmediateResponse
            case .awaitingEndAfterImmediateResponse, .finished:
                break
            }
        }

        enum OnEnd: Equatable {
            /// Finish the call with OK and tell the handler it was half-closed.
            case finishCall
            case ignore
        }

        /// Envoy half-closed the call.
        mutating func receiveEnd() -> OnEnd {
            switch state {
            case .awaitingMessages, .awaitingEndAfterImmediateResponse:
                state = .finished
                return .finishCall
            case .finished:
                return .ignore
            }
        }

        enum OnCancel: Equatable {
            /// Tell the handler the stream was reset.
            case notifyHandler
            case ignore
        }

        /// The call was reset, or its connection went away.
        mutating func cancel() -> OnCancel {
            switch state {
            case .awaitingMessages, .awaitingEndAfterImmediateResponse:
                state = .finished
                return .notifyHandler
            case .finished:
                return .ignore
            }
        }

        private mutating func outOfOrder(_ phase: ProcessingPhase) -> OnMessage {
            state = .finished
            return .protocolViolation(.outOfOrder(phase))
        }
    }
}

import Testing

@testable import ExtProc

@Suite struct ExtProcStreamStateMachineTests {
    typealias StateMachine = ExtProcStream.StateMachine

    /// Feeds `phases` in order and returns the action for each.
    private func feed(_ phases: [ProcessingPhase], observabilityMode: Bool = false) -> [StateMachine.OnMessage] {
        var machine = StateMachine()
        return phases.map { machine.receiveMessage($0, observabilityMode: observabilityMode) }
    }

    @Test(
        arguments: [
            [
                .requestHeaders, .requestBody, .requestBody, .requestTrailers, .responseHeaders, .responseBody,
                .responseTrailers,
            ],
            [.requestHeaders, .responseHeaders],
            // Request headers skipped by the processing mode.
            [.requestBody, .requestBody, .responseHeaders],
            [.requestTrailers, .responseTrailers],
            // Only the response is processed.
            [.responseHeaders, .responseBody],
            [.responseBody],
            // The response starts while a streamed request body is still flowing.
            [
                .requestHeaders, .requestBody, .responseHeaders, .requestBody, .responseBody, .requestTrailers,
                .responseTrailers,
            ],
            // Headers skipped, body and trailers sent.
            [.requestHeaders, .responseBody, .responseTrailers],
            [.requestHeaders, .requestTrailers],
        ] as [[ProcessingPhase]]
    )
    func validSequencesAreHandledAndAnswered(phases: [ProcessingPhase]) {
        #expect(feed(phases) == Array(repeating: .handle(reply: true), count: phases.count))
    }

    @Test(
        arguments: [
            ([.requestHeaders, .requestHeaders], ProcessingPhase.requestHeaders),
            ([.requestBody, .requestHeaders], .requestHeaders),
            ([.requestTrailers, .requestBody], .requestBody),
            ([.requestTrailers, .requestTrailers], .requestTrailers),
            ([.responseHeaders, .requestHeaders], .requestHeaders),
            ([.requestHeaders, .responseBody, .responseHeaders], .responseHeaders),
            ([.requestHeaders, .responseTrailers, .responseBody], .responseBody),
        ] as [([ProcessingPhase], ProcessingPhase)]
    )
    func outOfOrderIsAProtocolViolation(phases: [ProcessingPhase], offending: ProcessingPhase) {
        let actions = feed(phases)
        #expect(actions.dropLast().allSatisfy { $0 == .handle(reply: true) })
        #expect(actions.last == .protocolViolation(.outOfOrder(offending)))
    }

    @Test func afterAViolationEverythingIsIgnored() {
        var machine = StateMachine()
        #expect(machine.receiveMessage(.requestTrailers, observabilityMode: false) == .handle(reply: true))
        #expect(
            machine.receiveMessage(.requestHeaders, observabilityMode: false)
                == .protocolViolation(.outOfOrder(.requestHeaders))
        )
        #expect(machine.receiveMessage(.responseHeaders, observabilityMode: false) == .drop)
        #expect(machine.receiveUndecodableMessage(.malformedMessage) == .drop)
        #expect(machine.receiveEnd() == .ignore)
        #expect(machine.cancel() == .ignore)
    }

    @Test func observabilityModeIsHandledWithoutReplyButStillOrdered() {
        #expect(
            feed([.requestHeaders, .requestBody], observabilityMode: true) == [
                .handle(reply: false), .handle(reply: false),
            ]
        )
        #expect(
            feed([.requestBody, .requestHeaders], observabilityMode: true)
                == [.handle(reply: false), .protocolViolation(.outOfOrder(.requestHeaders))]
        )
    }

    @Test func afterAnImmediateResponseLateMessagesAreDroppedAndEndStillFinishes() {
        var machine = StateMachine()
        #expect(machine.receiveMessage(.requestHeaders, observabilityMode: false) == .handle(reply: true))
        machine.sendImmediateResponse()
        // Even a message that would be out of order is only dropped: Envoy has stopped listening.
        #expect(machine.receiveMessage(.requestBody, observabilityMode: false) == .drop)
        #expect(machine.receiveMessage(.requestHeaders, observabilityMode: false) == .drop)
        #expect(machine.receiveEnd() == .finishCall)
        #expect(machine.cancel() == .ignore)
    }

    @Test func undecodableMessagesEndAnOpenStream() {
        var machine = StateMachine()
        #expect(machine.receiveUndecodableMessage(.malformedMessage) == .protocolViolation(.malformedMessage))
        #expect(machine.receiveMessage(.requestHeaders, observabilityMode: false) == .drop)

        var afterImmediate = StateMachine()
        afterImmediate.sendImmediateResponse()
        #expect(afterImmediate.receiveUndecodableMessage(.missingPhase) == .protocolViolation(.missingPhase))
    }

    @Test func endAndCancelEndTheStreamOnce() {
        var halfClosed = StateMachine()
        #expect(halfClosed.receiveMessage(.requestHeaders, observabilityMode: false) == .handle(reply: true))
        #expect(halfClosed.receiveEnd() == .finishCall)
        #expect(halfClosed.receiveEnd() == .ignore)
        #expect(halfClosed.cancel() == .ignore)
        #expect(halfClosed.receiveMessage(.requestBody, observabilityMode: false) == .drop)

        var reset = StateMachine()
        #expect(reset.cancel() == .notifyHandler)
        #expect(reset.cancel() == .ignore)
        #expect(reset.receiveEnd() == .ignore)
    }

    /// Every sequence of up to four messages, checked against an independent statement of the rule:
    /// within a direction the parts never go back and headers and trailers come at most once, and
    /// request headers never follow a response message.
    @Test func allShortSequencesAgreeWithTheRule() {
        var sequences: [[ProcessingPhase]] = [[]]
        for _ in 0..<4 {
            sequences = sequences.flatMap { prefix in ProcessingPhase.allCases.map { prefix + [$0] } }
        }
        var accepted = 0
        for sequence in sequences {
            let actions = feed(sequence)
            let expectedValid = isValid(sequence)
            let allHandled = actions.allSatisfy { $0 == .handle(reply: true) }
            #expect(allHandled == expectedValid, "\(sequence.map(\.name))")
            if allHandled { accepted += 1 }
        }
        #expect(accepted > 100)
    }

    private func isValid(_ sequence: [ProcessingPhase]) -> Bool {
        for (index, phase) in sequence.enumerated() {
            let earlier = sequence[..<index]
            let sameDirection = earlier.filter { $0.direction == phase.direction }
            if sameDirection.contains(where: { $0.part > phase.part }) { return false }
            if phase.part != .body && sameDirection.contains(where: { $0.part == phase.part }) { return false }
            if phase == .requestHeaders && earlier.contains(where: { $0.direction == .response }) { return false }
        }
        return true
    }
}

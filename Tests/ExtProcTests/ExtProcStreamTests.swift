import Logging
import Telemetry
import Testing

@testable import ExtProc
@testable import H2Transport

@Suite struct ExtProcStreamTests {
    @Test func servesOnlyTheProcessMethod() {
        let service = ExtProcService(
            handlerFactory: RecordingHandlerFactory(),
            metrics: MetricsRegistry(),
            logger: Logger(label: "test")
        )
        #expect(
            service.makeStreamHandler(method: "/envoy.service.ext_proc.v3.ExternalProcessor/Process") is ExtProcStream
        )
        #expect(service.makeStreamHandler(method: "/envoy.service.ext_proc.v3.ExternalProcessor/Other") == nil)
        #expect(service.makeStreamHandler(method: "/grpc.health.v1.Health/Check") == nil)
    }

    @Test func aMessageIsDecodedHandledEncodedAndCounted() throws {
        let harness = Harness()
        harness.handler.answer = { request in
            #expect(request.phase == .requestHeaders)
            return ProcessingResponse(
                .continue(
                    CommonResponse(
                        headerMutation: HeaderMutation(
                            setHeaders: [
                                HeaderValueOption(HeaderField(name: "x-seen", value: "yes"), appendAction: .addIfAbsent)
                            ]
                        )
                    )
                )
            )
        }
        harness.receive(
            requestBytes { request in
                request.message(RequestField.requestHeaders) { writeHeaderMap(&$0, field: 1, [(":path", "/")]) }
            }
        )
        #expect(harness.handler.requests.map(\.phase) == [.requestHeaders])
        #expect(
            harness.handler.requests.first.map { request in
                guard case .requestHeaders(let headers) = request.payload else { return false }
                return headers.fields == [HeaderField(name: ":path", value: "/")]
            } == true
        )
        #expect(harness.sink.sent.count == 1)
        let header = try ProtobufFields(harness.sink.sent[0]).message(1)?.message(1)?.message(2)?.message(1)?.message(1)
        #expect(header?.string(1) == "x-seen")
        #expect(header?.string(3) == "yes")
        #expect(harness.sink.finished.isEmpty)
        #expect(harness.counter("tollgate_extproc_messages_total", ("phase", "request_headers")) == 1)
        #expect(harness.counter("tollgate_extproc_messages_total", ("phase", "request_body")) == 0)
        #expect(harness.handlerObservations(.requestHeaders) == 1)
    }

    @Test func eachPhaseGetsItsOwnAnswer() throws {
        let harness = Harness()
        let phases: [ProcessingPhase] = [
            .requestHeaders, .requestBody, .requestTrailers, .responseHeaders, .responseBody, .responseTrailers,
        ]
        for phase in phases {
            harness.receive(phase.minimalRequest)
        }
        #expect(harness.sink.sent == [[0x0A, 0], [0x1A, 0], [0x2A, 0], [0x12, 0], [0x22, 0], [0x32, 0]])
        for phase in phases {
            #expect(harness.counter("tollgate_extproc_messages_total", ("phase", phase.name)) == 1)
        }
    }

    @Test func observabilityModeGetsNoReply() {
        let harness = Harness()
        harness.receive(
            requestBytes { request in
                request.message(RequestField.requestHeaders) { _ in }
                request.bool(RequestField.observabilityMode, true)
            }
        )
        #expect(harness.handler.requests.count == 1)
        #expect(harness.sink.sent.isEmpty)
        #expect(harness.sink.finished.isEmpty)
    }

    @Test func outOfOrderEndsTheStreamWithInvalidArgument() {
        let harness = Harness()
        harness.receive(ProcessingPhase.requestBody.minimalRequest)
        harness.receive(ProcessingPhase.requestHeaders.minimalRequest)
        #expect(harness.handler.requests.map(\.phase) == [.requestBody])
        #expect(harness.sink.sent.count == 1)
        #expect(harness.sink.finished.map(\.code) == [.invalidArgument])
        #expect(harness.handler.endings == [.protocolError(.outOfOrder(.requestHeaders))])
        #expect(harness.counter("tollgate_errors_total", ("kind", "extproc_protocol")) == 1)
        // The transport may still report the end; the handler hears about the stream once.
        harness.stream.didCancel()
        harness.stream.didReceiveEnd(responder: harness.responder)
        #expect(harness.handler.endings.count == 1)
        #expect(harness.sink.finished.count == 1)
    }

    @Test func malformedBytesEndTheStreamAndAreCountedAsDecodeErrors() {
        let harness = Harness()
        harness.receive([0x12, 0x09, 0x0A])
        #expect(harness.handler.requests.isEmpty)
        #expect(harness.sink.finished.map(\.code) == [.invalidArgument])
        #expect(harness.handler.endings == [.protocolError(.malformedMessage)])
        #expect(harness.counter("tollgate_errors_total", ("kind", "protobuf_decode")) == 1)
        #expect(harness.counter("tollgate_errors_total", ("kind", "extproc_protocol")) == 0)
    }

    @Test func aMessageWithoutPhaseIsAProtocolError() {
        let harness = Harness()
        harness.receive([])
        #expect(harness.handler.endings == [.protocolError(.missingPhase)])
        #expect(harness.counter("tollgate_errors_total", ("kind", "extproc_protocol")) == 1)
    }

    @Test func halfCloseFinishesWithOK() {
        let harness = Harness()
        harness.receive(ProcessingPhase.requestHeaders.minimalRequest)
        harness.stream.didReceiveEnd(responder: harness.responder)
        #expect(harness.sink.finished == [.ok])
        #expect(harness.handler.endings == [.halfClosed])
        harness.stream.didCancel()
        #expect(harness.handler.endings == [.halfClosed])
    }

    @Test func resetTellsTheHandlerOnce() {
        let harness = Harness()
        harness.receive(ProcessingPhase.requestHeaders.minimalRequest)
        harness.stream.didCancel()
        harness.stream.didCancel()
        #expect(harness.handler.endings == [.reset])
        #expect(harness.sink.finished.isEmpty)
    }

    @Test func afterAnImmediateResponseLateMessagesAreDropped() throws {
        let harness = Harness()
        harness.handler.answer = { _ in ProcessingResponse(.immediate(ImmediateResponse(status: 429))) }
        harness.receive(ProcessingPhase.requestHeaders.minimalRequest)
        harness.receive(ProcessingPhase.requestBody.minimalRequest)
        #expect(harness.handler.requests.count == 1)
        #expect(harness.sink.sent.count == 1)
        #expect(try ProtobufFields(harness.sink.sent[0]).message(7)?.message(1)?.varint(1) == 429)
        harness.stream.didReceiveEnd(responder: harness.responder)
        #expect(harness.sink.finished == [.ok])
        #expect(harness.handler.endings == [.halfClosed])
    }

    @Test func largeMessagesAndManyMessagesReuseTheStream() throws {
        let harness = Harness()
        harness.handler.answer = { request in
            guard case .requestBody(let body) = request.payload else { return .continue }
            return ProcessingResponse(.continue(CommonResponse(bodyMutation: .replace(body.bytes.reversed()))))
        }
        harness.receive(ProcessingPhase.requestHeaders.minimalRequest)
        var expected: [[UInt8]] = []
        for size in [1, 1_000_000, 0, 50_000] {
            let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            harness.receive(requestBytes { $0.message(RequestField.requestBody) { $0.bytes(1, body) } })
            expected.append(body.reversed())
        }
        let replaced = try harness.sink.sent.dropFirst().map { message in
            try ProtobufFields(message).message(3)?.message(1)?.message(3)?.bytes(1)
        }
        #expect(replaced == expected)
    }
}

extension ExtProcStreamTests {
    /// Work a handler defers runs once the replies are written, not while they are encoded, and
    /// only for the messages that left some.
    @Test func deferredWorkRunsAfterTheRepliesAreWritten() {
        let harness = Harness()
        harness.receive(ProcessingPhase.requestHeaders.minimalRequest)
        #expect(harness.sink.writeFollowUps.isEmpty)
        harness.handler.defers = true
        harness.receive(ProcessingPhase.responseHeaders.minimalRequest)
        #expect(harness.sink.sent.count == 2)
        #expect(harness.handler.deferredWorkDone == 0)
        harness.sink.write()
        #expect(harness.handler.deferredWorkDone == 1)
    }
}

/// An `ExtProcStream` wired to a recording handler and sink, with no transport.
private final class Harness {
    let handler = RecordingHandler()
    let sink = RecordingSink()
    let registry = MetricsRegistry()
    let stream: ExtProcStream
    var responder: GRPCResponder { GRPCResponder(sink: sink, streamID: 1) }

    init() {
        stream = ExtProcStream(
            handler: handler,
            metrics: ExtProcMetrics(registry: registry),
            logger: Logger(label: "test")
        )
    }

    func receive(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { stream.didReceive(message: $0, responder: responder) }
    }

    func counter(_ name: String, _ label: (String, String)) -> Int {
        registry.counter(name, help: "Errors by kind.", labels: [label]).value
    }

    func handlerObservations(_ phase: ProcessingPhase) -> Int {
        registry.histogram(
            "tollgate_extproc_handler_seconds",
            help: "",
            labels: [("phase", phase.name)],
            buckets: []
        ).count
    }
}

private final class RecordingHandler: ExtProcStreamHandler {
    var answer: (ProcessingRequest) -> ProcessingResponse = { _ in .continue }
    private(set) var requests: [ProcessingRequest] = []
    private(set) var endings: [ExtProcStreamEnding] = []

    func replies(to request: ProcessingRequest) -> [ProcessingReply] {
        requests.append(request)
        return [ProcessingReply(answering: request.phase, answer(request))]
    }

    func streamDidEnd(_ ending: ExtProcStreamEnding) {
        endings.append(ending)
    }

    var defers = false
    private(set) var deferredWorkDone = 0

    var hasDeferredWork: Bool { defers }

    func performDeferredWork() {
        deferredWorkDone += 1
    }
}

private struct RecordingHandlerFactory: ExtProcHandlerFactory {
    func makeStreamHandler() -> any ExtProcStreamHandler { RecordingHandler() }
}

/// Stands in for the HTTP/2 connection: keeps what the stream sends.
private final class RecordingSink: GRPCResponseSink {
    private(set) var sent: [[UInt8]] = []
    private(set) var finished: [GRPCStatus] = []

    func send(streamID: Int32, byteCount: Int, encode: (UnsafeMutableRawBufferPointer) -> Void) {
        var message = [UInt8](repeating: 0xEE, count: byteCount)
        message.withUnsafeMutableBytes(encode)
        sent.append(message)
    }

    func finish(streamID: Int32, status: GRPCStatus) {
        finished.append(status)
    }

    private(set) var writeFollowUps: [() -> Void] = []

    func afterWrite(_ work: @escaping () -> Void) {
        writeFollowUps.append(work)
    }

    /// What the connection does once its bytes are written.
    func write() {
        let work = writeFollowUps
        writeFollowUps.removeAll()
        for item in work { item() }
    }
}

import ExtProc
import Synchronization

/// A test-only ext_proc handler whose behaviour is chosen by the request's own headers, so that
/// end-to-end tests and benchmarks can exercise every kind of reply through a real Envoy.
///
/// - every request gets `x-tollgate-probe: request-headers`, every response `x-tollgate-probe-response`;
/// - `x-probe-immediate: <status>` answers at once with that status;
/// - `x-probe-body: echo` / `x-probe-response-body: echo` replace each body message with itself;
/// - `x-probe-response-headers: <n>` adds n more response headers, `x-probe-h<i>: <a count>`
///   (values change with every request, like `x-ratelimit-remaining-*`): what n header mutations
///   cost Envoy, for the benchmark;
/// - `x-probe-metadata: <n>` sets n numeric fields of dynamic metadata (`tollgate.m<i>`) with
///   the reply to the response body's last message: what the gateway's completion metadata
///   costs Envoy, for the benchmark;
/// - `x-probe-response-mode: streamed|buffered` has the reply to the response headers switch the
///   response body to that mode (`mode_override`), each body message then continued unchanged.
/// - a FULL_DUPLEX_STREAMED request body (the gateway's mode, as its rendered config says) is
///   given back chunk by chunk, since Envoy keeps no copy of it: the gateway's processing modes
///   without its work, for the streaming benchmark.
final class ProbeHandler: ExtProcStreamHandler {
    private var fullDuplexRequestBody = false
    private var echoRequestBody = false
    private var echoResponseBody = false
    private var responseBodyMode: ProcessingMode.BodySendMode?
    private var requestBodyBytes = 0
    private var requestBodyMessages = 0
    private var extraResponseHeaders = 0
    private var metadataFields = 0
    /// Makes the extra headers' values differ from one response to the next.
    private static let responses = Atomic<Int>(0)

    func replies(to request: ProcessingRequest) -> [ProcessingReply] {
        if let configuration = request.protocolConfiguration {
            fullDuplexRequestBody = configuration.requestBodyMode == .fullDuplexStreamed
        }
        return [ProcessingReply(answering: request.phase, handle(request))]
    }

    private func handle(_ request: ProcessingRequest) -> ProcessingResponse {
        switch request.payload {
        case .requestHeaders(let headers):
            return requestHeaders(headers.fields)
        case .requestBody(let body):
            requestBodyBytes += body.bytes.count
            requestBodyMessages += 1
            var common = CommonResponse()
            if fullDuplexRequestBody {
                common.bodyMutation = .streamed(body.bytes, endOfStream: body.endOfStream)
                return ProcessingResponse(.continue(common))
            }
            if echoRequestBody { common.bodyMutation = .replace(body.bytes) }
            // One message that ends the body is buffered mode, where headers may still change.
            if body.endOfStream && requestBodyMessages == 1 {
                common.headerMutation.setHeaders.append(
                    HeaderValueOption(
                        HeaderField(name: "x-probe-body-bytes", value: String(requestBodyBytes)),
                        appendAction: .overwriteIfExistsOrAdd
                    )
                )
            }
            return ProcessingResponse(.continue(common))
        case .responseHeaders:
            var common = CommonResponse()
            common.headerMutation.setHeaders.append(
                HeaderValueOption(
                    HeaderField(name: "x-tollgate-probe-response", value: "response-headers"),
                    appendAction: .overwriteIfExistsOrAdd
                )
            )
            if extraResponseHeaders > 0 {
                let count = Self.responses.add(1, ordering: .relaxed).newValue
                for index in 0..<extraResponseHeaders {
                    common.headerMutation.setHeaders.append(
                        HeaderValueOption(
                            HeaderField(name: "x-probe-h\(index)", value: String(count &+ index)),
                            appendAction: .overwriteIfExistsOrAdd
                        )
                    )
                }
            }
            if let mode = responseBodyMode {
                common.headerMutation.removeHeaders.append("content-length")
                return ProcessingResponse(.continue(common), modeOverride: ProcessingMode(responseBodyMode: mode))
            }
            return ProcessingResponse(.continue(common))
        case .responseBody(let body):
            let common = echoResponseBody ? CommonResponse(bodyMutation: .replace(body.bytes)) : CommonResponse()
            guard body.endOfStream, metadataFields > 0 else { return ProcessingResponse(.continue(common)) }
            var fields: [String: ProtoValue] = [:]
            for index in 0..<metadataFields { fields["m\(index)"] = .number(Double(requestBodyBytes + index)) }
            return ProcessingResponse(
                .continue(common),
                dynamicMetadata: ["tollgate": .structure(ProtoStruct(fields: fields))]
            )
        case .requestTrailers, .responseTrailers:
            return .continue
        }
    }

    func streamDidEnd(_ ending: ExtProcStreamEnding) {}

    private func requestHeaders(_ fields: [HeaderField]) -> ProcessingResponse {
        echoRequestBody = fields.first(named: "x-probe-body")?.value == "echo"
        echoResponseBody = fields.first(named: "x-probe-response-body")?.value == "echo"
        extraResponseHeaders = fields.first(named: "x-probe-response-headers").flatMap { Int($0.value) } ?? 0
        metadataFields = fields.first(named: "x-probe-metadata").flatMap { Int($0.value) } ?? 0
        switch fields.first(named: "x-probe-response-mode")?.value {
        case "streamed": responseBodyMode = .streamed
        case "buffered": responseBodyMode = .buffered
        default: responseBodyMode = nil
        }
        if let immediate = fields.first(named: "x-probe-immediate"), let status = Int(immediate.value) {
            let headers = HeaderMutation(setHeaders: [
                HeaderValueOption(
                    HeaderField(name: "x-probe-immediate", value: "yes"),
                    appendAction: .overwriteIfExistsOrAdd
                )
            ])
            return ProcessingResponse(
                .immediate(
                    ImmediateResponse(
                        status: status,
                        headers: headers,
                        body: Array("probe immediate response".utf8),
                        details: "probe_immediate"
                    )
                )
            )
        }
        var common = CommonResponse()
        common.headerMutation.setHeaders.append(
            HeaderValueOption(
                HeaderField(name: "x-tollgate-probe", value: "request-headers"),
                appendAction: .overwriteIfExistsOrAdd
            )
        )
        return ProcessingResponse(.continue(common))
    }
}

/// Makes one `ProbeHandler` per ext_proc stream.
struct ProbeHandlerFactory: ExtProcHandlerFactory {
    func makeStreamHandler() -> any ExtProcStreamHandler { ProbeHandler() }
}

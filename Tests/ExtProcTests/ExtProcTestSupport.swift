@testable import ExtProc

/// Decodes `bytes` as Envoy's message, through the same arena code the server uses.
func decodeRequest(_ bytes: [UInt8], arena: ProtobufArena = ProtobufArena()) throws(ExtProcError) -> ProcessingRequest {
    let result = bytes.withUnsafeBytes { buffer in
        Result { () throws(ExtProcError) in try ProcessingRequest(protobuf: buffer, arena: arena) }
    }
    return try result.get()
}

/// Encodes `response` the way the server does, into a buffer pre-filled with a marker so that
/// bytes the packer failed to write would show.
func encodeResponse(_ response: ProcessingResponse, answering phase: ProcessingPhase) -> [UInt8] {
    let arena = ProtobufArena()
    var encoded: [[UInt8]] = []
    response.encode(answering: phase, in: arena) { byteCount, pack in
        var buffer = [UInt8](repeating: 0xEE, count: byteCount)
        buffer.withUnsafeMutableBytes { pack($0) }
        encoded.append(buffer)
    }
    precondition(encoded.count == 1, "encode must send exactly one message")
    return encoded[0]
}

/// A request message as Envoy would send it, with `build` adding the fields.
func requestBytes(_ build: (inout ProtobufWriter) -> Void) -> [UInt8] {
    var writer = ProtobufWriter()
    build(&writer)
    return writer.bytes
}

/// Writes an `envoy.config.core.v3.HeaderMap` the way Envoy does: values in raw_value (field 3).
func writeHeaderMap(_ writer: inout ProtobufWriter, field: Int, _ headers: [(String, String)]) {
    writer.message(field) { map in
        for (name, value) in headers {
            map.message(1) { header in
                header.string(1, name)
                header.string(3, value)
            }
        }
    }
}

/// `ProcessingRequest` field numbers, from external_processor.proto.
enum RequestField {
    static let requestHeaders = 2
    static let responseHeaders = 3
    static let requestBody = 4
    static let responseBody = 5
    static let requestTrailers = 6
    static let responseTrailers = 7
    static let metadataContext = 8
    static let attributes = 9
    static let observabilityMode = 10
    static let protocolConfig = 11
}

extension ProcessingPhase {
    /// The `ProcessingRequest` field that carries this phase.
    var requestField: Int {
        switch self {
        case .requestHeaders: RequestField.requestHeaders
        case .responseHeaders: RequestField.responseHeaders
        case .requestBody: RequestField.requestBody
        case .responseBody: RequestField.responseBody
        case .requestTrailers: RequestField.requestTrailers
        case .responseTrailers: RequestField.responseTrailers
        }
    }

    /// The smallest valid message of this phase.
    var minimalRequest: [UInt8] {
        requestBytes { $0.message(requestField) { _ in } }
    }
}

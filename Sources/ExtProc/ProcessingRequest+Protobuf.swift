private import CExtProcProto
private import CProtobufC

// The only file that reads protobuf-c's request structs. Everything it returns is a Swift value
// copied out of the C tree, so the tree can die with the arena right after.

private typealias CRequest = Envoy__Service__ExtProc__V3__ProcessingRequest
private typealias CHeaderMap = Envoy__Config__Core__V3__HeaderMap
private typealias CHttpHeaders = Envoy__Service__ExtProc__V3__HttpHeaders
private typealias CHttpBody = Envoy__Service__ExtProc__V3__HttpBody
private typealias CHttpTrailers = Envoy__Service__ExtProc__V3__HttpTrailers
private typealias CMetadata = Envoy__Config__Core__V3__Metadata
private typealias CProtocolConfiguration = Envoy__Service__ExtProc__V3__ProtocolConfiguration
private typealias CBodySendMode = Envoy__Extensions__Filters__Http__ExtProc__V3__ProcessingMode__BodySendMode
private typealias CStruct = Google__Protobuf__Struct
private typealias CValue = Google__Protobuf__Value

extension ProcessingRequest {
    /// Decodes one gRPC message from Envoy. protobuf-c allocates the C tree from `arena`, which
    /// the caller resets once it is done with the message.
    init(protobuf message: UnsafeRawBufferPointer, arena: ProtobufArena) throws(ExtProcError) {
        var allocator = ProtobufCAllocator(
            alloc: { arena, size in
                Unmanaged<ProtobufArena>.fromOpaque(arena!).takeUnretainedValue().allocate(byteCount: size)
            },
            // Freed all at once by the arena's reset.
            free: { _, _ in },
            allocator_data: Unmanaged.passUnretained(arena).toOpaque()
        )
        let unpacked = withUnsafeMutablePointer(to: &allocator) { allocator in
            envoy__service__ext_proc__v3__processing_request__unpack(
                allocator,
                message.count,
                message.baseAddress?.assumingMemoryBound(to: UInt8.self)
            )
        }
        guard let request = unpacked?.pointee else {
            throw .malformedMessage
        }
        self.init(
            payload: try Payload(request),
            attributes: structMap(request.attributes, count: request.n_attributes) { ($0.key, $0.value) },
            metadataContext: metadata(request.metadata_context),
            observabilityMode: request.observability_mode != 0,
            protocolConfiguration: request.protocol_config.map { ProtocolConfiguration($0.pointee) }
        )
    }
}

extension ProcessingRequest.Payload {
    fileprivate init(_ request: CRequest) throws(ExtProcError) {
        switch request.request_case {
        case ENVOY__SERVICE__EXT_PROC__V3__PROCESSING_REQUEST__REQUEST_REQUEST_HEADERS:
            self = .requestHeaders(HTTPHeaders(request.request_headers))
        case ENVOY__SERVICE__EXT_PROC__V3__PROCESSING_REQUEST__REQUEST_REQUEST_BODY:
            self = .requestBody(HTTPBody(request.request_body))
        case ENVOY__SERVICE__EXT_PROC__V3__PROCESSING_REQUEST__REQUEST_REQUEST_TRAILERS:
            self = .requestTrailers(headerFields(request.request_trailers?.pointee.trailers))
        case ENVOY__SERVICE__EXT_PROC__V3__PROCESSING_REQUEST__REQUEST_RESPONSE_HEADERS:
            self = .responseHeaders(HTTPHeaders(request.response_headers))
        case ENVOY__SERVICE__EXT_PROC__V3__PROCESSING_REQUEST__REQUEST_RESPONSE_BODY:
            self = .responseBody(HTTPBody(request.response_body))
        case ENVOY__SERVICE__EXT_PROC__V3__PROCESSING_REQUEST__REQUEST_RESPONSE_TRAILERS:
            self = .responseTrailers(headerFields(request.response_trailers?.pointee.trailers))
        default:
            throw .missingPhase
        }
    }
}

extension HTTPHeaders {
    fileprivate init(_ headers: UnsafeMutablePointer<CHttpHeaders>?) {
        self.init(fields: headerFields(headers?.pointee.headers), endOfStream: headers?.pointee.end_of_stream ?? 0 != 0)
    }
}

extension HTTPBody {
    fileprivate init(_ body: UnsafeMutablePointer<CHttpBody>?) {
        self.init(bytes: byteArray(body?.pointee.body), endOfStream: body?.pointee.end_of_stream ?? 0 != 0)
    }
}

extension ProtocolConfiguration {
    fileprivate init(_ configuration: CProtocolConfiguration) {
        self.init(
            requestBodyMode: ProcessingMode.BodySendMode(configuration.request_body_mode),
            responseBodyMode: ProcessingMode.BodySendMode(configuration.response_body_mode),
            sendBodyWithoutWaitingForHeaderResponse: configuration.send_body_without_waiting_for_header_response != 0
        )
    }
}

extension ProcessingMode.BodySendMode {
    fileprivate init(_ mode: CBodySendMode) {
        switch mode {
        case ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__BODY_SEND_MODE__NONE: self = .none
        case ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__BODY_SEND_MODE__STREAMED: self = .streamed
        case ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__BODY_SEND_MODE__BUFFERED: self = .buffered
        case ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__BODY_SEND_MODE__BUFFERED_PARTIAL:
            self = .bufferedPartial
        case ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__BODY_SEND_MODE__FULL_DUPLEX_STREAMED:
            self = .fullDuplexStreamed
        case ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__BODY_SEND_MODE__GRPC: self = .grpc
        default: self = .unrecognized(Int32(truncatingIfNeeded: mode.rawValue))
        }
    }
}

/// Envoy puts header values in `raw_value`; `value` is read only when `raw_value` is empty, for
/// peers that still fill the older field.
private func headerFields(_ map: UnsafeMutablePointer<CHeaderMap>?) -> [HeaderField] {
    guard let map = map?.pointee else { return [] }
    return UnsafeBufferPointer(start: map.headers, count: map.n_headers).compactMap { header in
        guard let header = header?.pointee else { return nil }
        let rawValue = header.raw_value.len > 0 ? byteArray(header.raw_value) : cStringBytes(header.value)
        return HeaderField(name: swiftString(header.key), rawValue: rawValue)
    }
}

private func metadata(_ metadata: UnsafeMutablePointer<CMetadata>?) -> [String: ProtoStruct] {
    guard let metadata = metadata?.pointee else { return [:] }
    return structMap(metadata.filter_metadata, count: metadata.n_filter_metadata) { ($0.key, $0.value) }
}

/// Reads a protobuf `map<string, google.protobuf.Struct>`, which protobuf-c lays out as an
/// array of entry structs.
private func structMap<Entry>(
    _ entries: UnsafeMutablePointer<UnsafeMutablePointer<Entry>?>?,
    count: Int,
    _ keyAndValue: (Entry) -> (UnsafeMutablePointer<CChar>?, UnsafeMutablePointer<CStruct>?)
) -> [String: ProtoStruct] {
    var map: [String: ProtoStruct] = [:]
    for entry in UnsafeBufferPointer(start: entries, count: count) {
        guard let entry = entry?.pointee else { continue }
        let (key, value) = keyAndValue(entry)
        map[swiftString(key)] = protoStruct(value)
    }
    return map
}

private func protoStruct(_ structure: UnsafeMutablePointer<CStruct>?) -> ProtoStruct {
    guard let structure = structure?.pointee else { return ProtoStruct() }
    var fields: [String: ProtoValue] = [:]
    for entry in UnsafeBufferPointer(start: structure.fields, count: structure.n_fields) {
        guard let entry = entry?.pointee else { continue }
        fields[swiftString(entry.key)] = protoValue(entry.value)
    }
    return ProtoStruct(fields: fields)
}

/// A `Value` with no kind set is not valid JSON; it is read as null rather than failing the stream.
private func protoValue(_ value: UnsafeMutablePointer<CValue>?) -> ProtoValue {
    guard let value = value?.pointee else { return .null }
    switch value.kind_case {
    case GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE:
        return .number(value.number_value)
    case GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE:
        return .string(swiftString(value.string_value))
    case GOOGLE__PROTOBUF__VALUE__KIND_BOOL_VALUE:
        return .bool(value.bool_value != 0)
    case GOOGLE__PROTOBUF__VALUE__KIND_STRUCT_VALUE:
        return .structure(protoStruct(value.struct_value))
    case GOOGLE__PROTOBUF__VALUE__KIND_LIST_VALUE:
        guard let list = value.list_value?.pointee else { return .list([]) }
        return .list(UnsafeBufferPointer(start: list.values, count: list.n_values).map(protoValue))
    default:
        return .null
    }
}

private func swiftString(_ cString: UnsafeMutablePointer<CChar>?) -> String {
    cString.map { String(cString: $0) } ?? ""
}

private func cStringBytes(_ cString: UnsafeMutablePointer<CChar>?) -> [UInt8] {
    guard let cString else { return [] }
    var length = 0
    while cString[length] != 0 { length += 1 }
    return Array(UnsafeRawBufferPointer(start: cString, count: length))
}

private func byteArray(_ data: ProtobufCBinaryData?) -> [UInt8] {
    guard let data, data.len > 0, let start = data.data else { return [] }
    return Array(UnsafeBufferPointer(start: start, count: data.len))
}

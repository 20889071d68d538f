private import CExtProcProto
private import CProtobufC

// The only file that builds protobuf-c's response structs. The tree is allocated in the stream's
// arena, and the one large byte field (a body) points into the Swift array instead of being
// copied, which is why everything happens inside `encode`'s closure.

private typealias CResponse = Envoy__Service__ExtProc__V3__ProcessingResponse
private typealias CHeadersResponse = Envoy__Service__ExtProc__V3__HeadersResponse
private typealias CBodyResponse = Envoy__Service__ExtProc__V3__BodyResponse
private typealias CTrailersResponse = Envoy__Service__ExtProc__V3__TrailersResponse
private typealias CCommonResponse = Envoy__Service__ExtProc__V3__CommonResponse
private typealias CImmediateResponse = Envoy__Service__ExtProc__V3__ImmediateResponse
private typealias CHeaderMutation = Envoy__Service__ExtProc__V3__HeaderMutation
private typealias CBodyMutation = Envoy__Service__ExtProc__V3__BodyMutation
private typealias CStreamedBodyResponse = Envoy__Service__ExtProc__V3__StreamedBodyResponse
private typealias CHeaderValueOption = Envoy__Config__Core__V3__HeaderValueOption
private typealias CHeaderValue = Envoy__Config__Core__V3__HeaderValue
private typealias CHttpStatus = Envoy__Type__V3__HttpStatus
private typealias CGrpcStatus = Envoy__Service__ExtProc__V3__GrpcStatus
private typealias CProcessingMode = Envoy__Extensions__Filters__Http__ExtProc__V3__ProcessingMode
private typealias CHeaderSendMode = Envoy__Extensions__Filters__Http__ExtProc__V3__ProcessingMode__HeaderSendMode
private typealias CBodySendMode = Envoy__Extensions__Filters__Http__ExtProc__V3__ProcessingMode__BodySendMode
private typealias CDuration = Google__Protobuf__Duration
private typealias CStruct = Google__Protobuf__Struct
private typealias CStructEntry = Google__Protobuf__Struct__FieldsEntry
private typealias CValue = Google__Protobuf__Value
private typealias CListValue = Google__Protobuf__ListValue
/// How protobuf-c lays out a repeated message or string field (next to its count).
private typealias CArray<Element> = UnsafeMutablePointer<UnsafeMutablePointer<Element>?>

extension ProcessingResponse {
    /// Encodes this response as the answer to a `phase` message. `send` receives the exact packed
    /// size and a function that packs the message into a buffer of that size, so the caller can
    /// pack it straight into the transport's outbound buffer (`GRPCResponder.send`).
    func encode(
        answering phase: ProcessingPhase,
        in arena: ProtobufArena,
        send: (_ byteCount: Int, _ pack: (UnsafeMutableRawBufferPointer) -> Void) -> Void
    ) {
        largeBody(answering: phase).withUnsafeBufferPointer { body in
            let builder = MessageBuilder(arena: arena, body: body)
            let message = builder.response(self, answering: phase)
            // `base` is the first member of every protobuf-c message, as in C.
            let base = UnsafeMutableRawPointer(message).assumingMemoryBound(to: ProtobufCMessage.self)
            let byteCount = protobuf_c_message_get_packed_size(base)
            send(byteCount) { buffer in
                precondition(buffer.count == byteCount, "the buffer must have the packed size")
                guard let out = buffer.baseAddress else { return }
                protobuf_c_message_pack(base, out.assumingMemoryBound(to: UInt8.self))
            }
        }
    }

    /// The body that the message will reference in place; a response carries at most one.
    private func largeBody(answering phase: ProcessingPhase) -> [UInt8] {
        switch decision {
        case .continue(let common):
            guard phase.part != .trailers else { return [] }
            switch common.bodyMutation {
            case .replace(let bytes), .streamed(let bytes, _): return bytes
            case .clear, nil: return []
            }
        case .immediate(let immediate):
            return immediate.body
        }
    }
}

/// Builds the C tree for one response. Every struct comes from the arena and is initialised by
/// protoc-c's `_init` function, which sets the descriptor protobuf-c packs by.
private struct MessageBuilder {
    let arena: ProtobufArena
    /// Where the body bytes of the response already are.
    let body: UnsafeBufferPointer<UInt8>

    func response(_ response: ProcessingResponse, answering phase: ProcessingPhase) -> UnsafeMutablePointer<CResponse> {
        let message = make(CResponse.self, envoy__service__ext_proc__v3__processing_response__init)
        switch response.decision {
        case .continue(let common):
            setContinue(common, answering: phase, in: message)
        case .immediate(let immediate):
            message.pointee.response_case =
                ENVOY__SERVICE__EXT_PROC__V3__PROCESSING_RESPONSE__RESPONSE_IMMEDIATE_RESPONSE
            message.pointee.immediate_response = immediateResponse(immediate)
        }
        if let metadata = response.dynamicMetadata {
            message.pointee.dynamic_metadata = protoStruct(metadata)
        }
        if let mode = response.modeOverride {
            message.pointee.mode_override = processingMode(mode)
        }
        if let timeout = response.overrideMessageTimeout {
            message.pointee.override_message_timeout = duration(timeout)
        }
        return message
    }

    private func setContinue(
        _ common: CommonResponse,
        answering phase: ProcessingPhase,
        in message: UnsafeMutablePointer<CResponse>
    ) {
        switch phase {
        case .requestHeaders:
            message.pointee.response_case = ENVOY__SERVICE__EXT_PROC__V3__PROCESSING_RESPONSE__RESPONSE_REQUEST_HEADERS
            message.pointee.request_headers = headersResponse(common)
        case .responseHeaders:
            message.pointee.response_case = ENVOY__SERVICE__EXT_PROC__V3__PROCESSING_RESPONSE__RESPONSE_RESPONSE_HEADERS
            message.pointee.response_headers = headersResponse(common)
        case .requestBody:
            message.pointee.response_case = ENVOY__SERVICE__EXT_PROC__V3__PROCESSING_RESPONSE__RESPONSE_REQUEST_BODY
            message.pointee.request_body = bodyResponse(common)
        case .responseBody:
            message.pointee.response_case = ENVOY__SERVICE__EXT_PROC__V3__PROCESSING_RESPONSE__RESPONSE_RESPONSE_BODY
            message.pointee.response_body = bodyResponse(common)
        case .requestTrailers:
            message.pointee.response_case = ENVOY__SERVICE__EXT_PROC__V3__PROCESSING_RESPONSE__RESPONSE_REQUEST_TRAILERS
            message.pointee.request_trailers = trailersResponse(common.headerMutation)
        case .responseTrailers:
            message.pointee.response_case =
                ENVOY__SERVICE__EXT_PROC__V3__PROCESSING_RESPONSE__RESPONSE_RESPONSE_TRAILERS
            message.pointee.response_trailers = trailersResponse(common.headerMutation)
        }
    }

    private func headersResponse(_ common: CommonResponse) -> UnsafeMutablePointer<CHeadersResponse> {
        let message = make(CHeadersResponse.self, envoy__service__ext_proc__v3__headers_response__init)
        // An absent CommonResponse means "continue"; leaving it off keeps the common reply tiny.
        message.pointee.response = common.isEmpty ? nil : commonResponse(common)
        return message
    }

    private func bodyResponse(_ common: CommonResponse) -> UnsafeMutablePointer<CBodyResponse> {
        let message = make(CBodyResponse.self, envoy__service__ext_proc__v3__body_response__init)
        message.pointee.response = common.isEmpty ? nil : commonResponse(common)
        return message
    }

    private func trailersResponse(_ mutation: HeaderMutation) -> UnsafeMutablePointer<CTrailersResponse> {
        let message = make(CTrailersResponse.self, envoy__service__ext_proc__v3__trailers_response__init)
        message.pointee.header_mutation = mutation.isEmpty ? nil : headerMutation(mutation)
        return message
    }

    private func commonResponse(_ common: CommonResponse) -> UnsafeMutablePointer<CCommonResponse> {
        let message = make(CCommonResponse.self, envoy__service__ext_proc__v3__common_response__init)
        switch common.status {
        case .continue:
            message.pointee.status = ENVOY__SERVICE__EXT_PROC__V3__COMMON_RESPONSE__RESPONSE_STATUS__CONTINUE
        case .continueAndReplace:
            message.pointee.status =
                ENVOY__SERVICE__EXT_PROC__V3__COMMON_RESPONSE__RESPONSE_STATUS__CONTINUE_AND_REPLACE
        }
        message.pointee.header_mutation = common.headerMutation.isEmpty ? nil : headerMutation(common.headerMutation)
        message.pointee.body_mutation = common.bodyMutation.map(bodyMutation)
        message.pointee.clear_route_cache = common.clearRouteCache ? 1 : 0
        return message
    }

    private func bodyMutation(_ mutation: BodyMutation) -> UnsafeMutablePointer<CBodyMutation> {
        let message = make(CBodyMutation.self, envoy__service__ext_proc__v3__body_mutation__init)
        switch mutation {
        case .replace:
            message.pointee.mutation_case = ENVOY__SERVICE__EXT_PROC__V3__BODY_MUTATION__MUTATION_BODY
            message.pointee.body = pinnedBody()
        case .clear:
            message.pointee.mutation_case = ENVOY__SERVICE__EXT_PROC__V3__BODY_MUTATION__MUTATION_CLEAR_BODY
            message.pointee.clear_body = 1
        case .streamed(_, let endOfStream):
            message.pointee.mutation_case = ENVOY__SERVICE__EXT_PROC__V3__BODY_MUTATION__MUTATION_STREAMED_RESPONSE
            let streamed = make(CStreamedBodyResponse.self, envoy__service__ext_proc__v3__streamed_body_response__init)
            streamed.pointee.body = pinnedBody()
            streamed.pointee.end_of_stream = endOfStream ? 1 : 0
            message.pointee.streamed_response = streamed
        }
        return message
    }

    private func immediateResponse(_ immediate: ImmediateResponse) -> UnsafeMutablePointer<CImmediateResponse> {
        let message = make(CImmediateResponse.self, envoy__service__ext_proc__v3__immediate_response__init)
        let status = make(CHttpStatus.self, envoy__type__v3__http_status__init)
        status.pointee.code = .init(rawValue: .init(truncatingIfNeeded: immediate.status))
        message.pointee.status = status
        message.pointee.headers = immediate.headers.isEmpty ? nil : headerMutation(immediate.headers)
        if !immediate.body.isEmpty {
            message.pointee.body = pinnedBody()
        }
        if let code = immediate.grpcStatus {
            let grpcStatus = make(CGrpcStatus.self, envoy__service__ext_proc__v3__grpc_status__init)
            grpcStatus.pointee.status = code
            message.pointee.grpc_status = grpcStatus
        }
        if !immediate.details.isEmpty {
            message.pointee.details = arena.copyCString(immediate.details)
        }
        return message
    }

    private func headerMutation(_ mutation: HeaderMutation) -> UnsafeMutablePointer<CHeaderMutation> {
        let message = make(CHeaderMutation.self, envoy__service__ext_proc__v3__header_mutation__init)
        message.pointee.n_set_headers = mutation.setHeaders.count
        message.pointee.set_headers = array(mutation.setHeaders.map(headerValueOption))
        message.pointee.n_remove_headers = mutation.removeHeaders.count
        message.pointee.remove_headers = array(mutation.removeHeaders.map(arena.copyCString))
        return message
    }

    private func headerValueOption(_ option: HeaderValueOption) -> UnsafeMutablePointer<CHeaderValueOption> {
        let message = make(CHeaderValueOption.self, envoy__config__core__v3__header_value_option__init)
        let header = make(CHeaderValue.self, envoy__config__core__v3__header_value__init)
        header.pointee.key = arena.copyCString(option.header.name)
        // Always raw_value: Envoy reads only raw_value, and an unset one sets an empty header.
        header.pointee.raw_value = copiedBytes(option.header.rawValue)
        message.pointee.header = header
        switch option.appendAction {
        case .appendIfExistsOrAdd:
            message.pointee.append_action =
                ENVOY__CONFIG__CORE__V3__HEADER_VALUE_OPTION__HEADER_APPEND_ACTION__APPEND_IF_EXISTS_OR_ADD
        case .addIfAbsent:
            message.pointee.append_action =
                ENVOY__CONFIG__CORE__V3__HEADER_VALUE_OPTION__HEADER_APPEND_ACTION__ADD_IF_ABSENT
        case .overwriteIfExistsOrAdd:
            message.pointee.append_action =
                ENVOY__CONFIG__CORE__V3__HEADER_VALUE_OPTION__HEADER_APPEND_ACTION__OVERWRITE_IF_EXISTS_OR_ADD
        case .overwriteIfExists:
            message.pointee.append_action =
                ENVOY__CONFIG__CORE__V3__HEADER_VALUE_OPTION__HEADER_APPEND_ACTION__OVERWRITE_IF_EXISTS
        }
        message.pointee.keep_empty_value = option.keepEmptyValue ? 1 : 0
        return message
    }

    private func processingMode(_ mode: ProcessingMode) -> UnsafeMutablePointer<CProcessingMode> {
        let message = make(CProcessingMode.self, envoy__extensions__filters__http__ext_proc__v3__processing_mode__init)
        message.pointee.request_header_mode = headerSendMode(mode.requestHeaderMode)
        message.pointee.response_header_mode = headerSendMode(mode.responseHeaderMode)
        message.pointee.request_body_mode = bodySendMode(mode.requestBodyMode)
        message.pointee.response_body_mode = bodySendMode(mode.responseBodyMode)
        message.pointee.request_trailer_mode = headerSendMode(mode.requestTrailerMode)
        message.pointee.response_trailer_mode = headerSendMode(mode.responseTrailerMode)
        return message
    }

    private func headerSendMode(_ mode: ProcessingMode.HeaderSendMode) -> CHeaderSendMode {
        switch mode {
        case .default: ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__HEADER_SEND_MODE__DEFAULT
        case .send: ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__HEADER_SEND_MODE__SEND
        case .skip: ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__HEADER_SEND_MODE__SKIP
        }
    }

    private func bodySendMode(_ mode: ProcessingMode.BodySendMode) -> CBodySendMode {
        switch mode {
        case .none: ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__BODY_SEND_MODE__NONE
        case .streamed: ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__BODY_SEND_MODE__STREAMED
        case .buffered: ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__BODY_SEND_MODE__BUFFERED
        case .bufferedPartial:
            ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__BODY_SEND_MODE__BUFFERED_PARTIAL
        case .fullDuplexStreamed:
            ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__BODY_SEND_MODE__FULL_DUPLEX_STREAMED
        case .grpc: ENVOY__EXTENSIONS__FILTERS__HTTP__EXT_PROC__V3__PROCESSING_MODE__BODY_SEND_MODE__GRPC
        case .unrecognized(let number): CBodySendMode(rawValue: .init(truncatingIfNeeded: number))
        }
    }

    private func duration(_ duration: Duration) -> UnsafeMutablePointer<CDuration> {
        let message = make(CDuration.self, google__protobuf__duration__init)
        let (seconds, attoseconds) = duration.components
        message.pointee.seconds = seconds
        message.pointee.nanos = Int32(attoseconds / 1_000_000_000)
        return message
    }

    private func protoStruct(_ structure: ProtoStruct) -> UnsafeMutablePointer<CStruct> {
        let message = make(CStruct.self, google__protobuf__struct__init)
        let entries = structure.fields.map { key, value in
            let entry = make(CStructEntry.self, google__protobuf__struct__fields_entry__init)
            entry.pointee.key = arena.copyCString(key)
            entry.pointee.value = protoValue(value)
            return entry
        }
        message.pointee.n_fields = entries.count
        message.pointee.fields = array(entries)
        return message
    }

    private func protoValue(_ value: ProtoValue) -> UnsafeMutablePointer<CValue> {
        let message = make(CValue.self, google__protobuf__value__init)
        switch value {
        case .null:
            message.pointee.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NULL_VALUE
            message.pointee.null_value = GOOGLE__PROTOBUF__NULL_VALUE__NULL_VALUE
        case .number(let number):
            message.pointee.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_NUMBER_VALUE
            message.pointee.number_value = number
        case .string(let string):
            message.pointee.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRING_VALUE
            message.pointee.string_value = arena.copyCString(string)
        case .bool(let bool):
            message.pointee.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_BOOL_VALUE
            message.pointee.bool_value = bool ? 1 : 0
        case .structure(let structure):
            message.pointee.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_STRUCT_VALUE
            message.pointee.struct_value = protoStruct(structure)
        case .list(let values):
            let list = make(CListValue.self, google__protobuf__list_value__init)
            list.pointee.n_values = values.count
            list.pointee.values = array(values.map(protoValue))
            message.pointee.kind_case = GOOGLE__PROTOBUF__VALUE__KIND_LIST_VALUE
            message.pointee.list_value = list
        }
        return message
    }

    private func make<Message>(
        _ type: Message.Type,
        _ initialize: (UnsafeMutablePointer<Message>?) -> Void
    ) -> UnsafeMutablePointer<Message> {
        let message = arena.allocate(type)
        initialize(message)
        return message
    }

    /// protobuf-c's repeated fields: a count and an array of pointers.
    private func array<Element>(_ elements: [UnsafeMutablePointer<Element>]) -> CArray<Element>? {
        guard !elements.isEmpty else { return nil }
        let array = arena.allocate(UnsafeMutablePointer<Element>?.self, count: elements.count)
        for (index, element) in elements.enumerated() {
            array[index] = element
        }
        return array
    }

    private func pinnedBody() -> ProtobufCBinaryData {
        // An empty replacement is still a replacement, so it needs a non-null pointer.
        guard let start = body.baseAddress, !body.isEmpty else { return copiedBytes([]) }
        return ProtobufCBinaryData(len: body.count, data: UnsafeMutablePointer(mutating: start))
    }

    private func copiedBytes(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        let copy = arena.allocate(UInt8.self, count: bytes.count)
        copy.initialize(from: bytes, count: bytes.count)
        return ProtobufCBinaryData(len: bytes.count, data: copy)
    }
}

import Testing

@testable import ExtProc

/// `ProcessingResponse` field numbers, from external_processor.proto.
private enum ResponseField {
    static let immediateResponse = 7
    static let dynamicMetadata = 8
    static let modeOverride = 9
    static let overrideMessageTimeout = 10
}

@Suite struct ProcessingResponseEncodingTests {
    /// The `ProcessingResponse` oneof field that answers each phase.
    private static let answerFields: [(ProcessingPhase, Int)] = [
        (.requestHeaders, 1), (.responseHeaders, 2), (.requestBody, 3), (.responseBody, 4), (.requestTrailers, 5),
        (.responseTrailers, 6),
    ]

    @Test(arguments: answerFields)
    func plainContinueIsTheEmptyAnswerOfThePhase(phase: ProcessingPhase, field: Int) {
        // Field `field`, length-delimited, empty: "continue" with nothing else.
        #expect(encodeResponse(.continue, answering: phase) == [UInt8(field << 3 | 2), 0])
    }

    @Test(arguments: answerFields)
    func headerMutationPath(phase: ProcessingPhase, field: Int) throws {
        let mutation = HeaderMutation(
            setHeaders: [
                HeaderValueOption(HeaderField(name: "x-set", value: "v"), appendAction: .overwriteIfExistsOrAdd)
            ],
            removeHeaders: ["x-gone", "x-also-gone"]
        )
        let encoded = try ProtobufFields(
            encodeResponse(ProcessingResponse(.continue(CommonResponse(headerMutation: mutation))), answering: phase)
        )
        #expect(encoded.numbers == [field])
        let answer = try #require(try encoded.message(field))
        // Trailers answers hold the HeaderMutation directly; the others hold a CommonResponse.
        let headerMutation: ProtobufFields
        if phase.part == .trailers {
            headerMutation = try #require(try answer.message(1))
        } else {
            let common = try #require(try answer.message(1))
            #expect(common.numbers == [2])
            headerMutation = try #require(try common.message(2))
        }
        #expect(headerMutation.numbers == [1, 2, 2])
        #expect(
            headerMutation.values(2) == [
                .lengthDelimited(Array("x-gone".utf8)), .lengthDelimited(Array("x-also-gone".utf8)),
            ]
        )
        let option = try #require(try headerMutation.message(1))
        #expect(option.numbers == [1, 3])
        #expect(option.varint(3) == 2)
        let header = try #require(try option.message(1))
        // key and raw_value only: Envoy ignores `value`, so it must never carry the value.
        #expect(header.numbers == [1, 3])
        #expect(header.string(1) == "x-set")
        #expect(header.string(3) == "v")
    }

    @Test(
        arguments: [
            (HeaderAppendAction.appendIfExistsOrAdd, nil), (.addIfAbsent, 1), (.overwriteIfExistsOrAdd, 2),
            (.overwriteIfExists, 3),
        ] as [(HeaderAppendAction, UInt64?)]
    )
    func appendActions(action: HeaderAppendAction, number: UInt64?) throws {
        let option = try setHeaderOption(HeaderValueOption(HeaderField(name: "a", value: "b"), appendAction: action))
        // proto3 leaves the zero value off the wire.
        #expect(option.varint(3) == number)
        #expect(option.varint(4) == nil)
    }

    @Test func keepEmptyValueAndBinaryValues() throws {
        let option = try setHeaderOption(
            HeaderValueOption(
                HeaderField(name: "x-bin", rawValue: [0, 0xFF]),
                appendAction: .addIfAbsent,
                keepEmptyValue: true
            )
        )
        #expect(option.varint(4) == 1)
        #expect(try option.message(1)?.bytes(3) == [0, 0xFF])
    }

    @Test func anEmptyHeaderValueIsStillSentAsRawValue() throws {
        let option = try setHeaderOption(
            HeaderValueOption(
                HeaderField(name: "x-empty", value: ""),
                appendAction: .overwriteIfExistsOrAdd,
                keepEmptyValue: true
            )
        )
        // proto3 drops empty bytes; Envoy then reads an empty raw_value, which is what we mean.
        #expect(try option.message(1)?.numbers == [1])
    }

    @Test func continueAndReplaceWithBody() throws {
        let body = Array(repeating: UInt8(ascii: "b"), count: 70_000)
        let response = ProcessingResponse(
            .continue(CommonResponse(status: .continueAndReplace, bodyMutation: .replace(body), clearRouteCache: true))
        )
        let common = try #require(
            try ProtobufFields(encodeResponse(response, answering: .requestHeaders)).message(1)?.message(1)
        )
        #expect(common.numbers == [1, 3, 5])
        #expect(common.varint(1) == 1)
        #expect(common.varint(5) == 1)
        let mutation = try #require(try common.message(3))
        #expect(mutation.numbers == [1])
        #expect(mutation.bytes(1) == body)
    }

    @Test func clearBodyAndEmptyReplacementAreDistinct() throws {
        let clear = try bodyMutation(.clear)
        #expect(clear.numbers == [2])
        #expect(clear.varint(2) == 1)
        // Replacing with nothing is a set oneof case, so it must be on the wire, empty.
        let empty = try bodyMutation(.replace([]))
        #expect(empty.values(1) == [.lengthDelimited([])])
    }

    @Test func bodyMutationIsNotSentForTrailers() throws {
        let response = ProcessingResponse(
            .continue(CommonResponse(status: .continueAndReplace, bodyMutation: .replace([1, 2, 3])))
        )
        #expect(encodeResponse(response, answering: .responseTrailers) == [6 << 3 | 2, 0])
    }

    @Test func immediateResponse() throws {
        let immediate = ImmediateResponse(
            status: 403,
            headers: HeaderMutation(
                setHeaders: [
                    HeaderValueOption(
                        HeaderField(name: "x-why", value: "policy"),
                        appendAction: .overwriteIfExistsOrAdd
                    )
                ]
            ),
            body: Array("denied".utf8),
            grpcStatus: 7,
            details: "policy_denied"
        )
        // The phase being answered does not matter for an immediate response.
        for phase in ProcessingPhase.allCases {
            let encoded = try ProtobufFields(
                encodeResponse(ProcessingResponse(.immediate(immediate)), answering: phase)
            )
            #expect(encoded.numbers == [ResponseField.immediateResponse])
            let message = try #require(try encoded.message(ResponseField.immediateResponse))
            #expect(message.numbers == [1, 2, 3, 4, 5])
            #expect(try message.message(1)?.varint(1) == 403)
            #expect(try message.message(2)?.message(1)?.message(1)?.string(3) == "policy")
            #expect(message.string(3) == "denied")
            #expect(try message.message(4)?.varint(1) == 7)
            #expect(message.string(5) == "policy_denied")
        }
    }

    @Test func immediateResponseMinimalAndGrpcOK() throws {
        let encoded = try ProtobufFields(
            encodeResponse(
                ProcessingResponse(.immediate(ImmediateResponse(status: 200, grpcStatus: 0))),
                answering: .requestBody
            )
        )
        let message = try #require(try encoded.message(ResponseField.immediateResponse))
        // grpc_status 0 (OK) is present as an empty message: its presence is what asks for the trailer.
        #expect(message.numbers == [1, 4])
        #expect(message.values(4) == [.lengthDelimited([])])
    }

    @Test func dynamicMetadataModeOverrideAndTimeout() throws {
        let response = ProcessingResponse(
            .continue(CommonResponse()),
            dynamicMetadata: [
                "tollgate": ["tenant": "t-1", "cost": 2.5, "ok": true, "none": nil, "tags": ["a", ["k": 1]]]
            ],
            modeOverride: ProcessingMode(
                requestHeaderMode: .skip,
                responseHeaderMode: .send,
                requestBodyMode: .bufferedPartial,
                responseBodyMode: .grpc,
                requestTrailerMode: .default,
                responseTrailerMode: .send
            ),
            overrideMessageTimeout: .milliseconds(1_500)
        )
        let encoded = try ProtobufFields(encodeResponse(response, answering: .responseHeaders))
        #expect(encoded.numbers == [2, 8, 9, 10])
        let metadata = try #require(try encoded.message(ResponseField.dynamicMetadata))
        #expect(
            try decodeStruct(metadata) == [
                "tollgate": ["tenant": "t-1", "cost": 2.5, "ok": true, "none": nil, "tags": ["a", ["k": 1]]]
            ]
        )
        let mode = try #require(try encoded.message(ResponseField.modeOverride))
        #expect(mode.numbers == [1, 2, 3, 4, 6])
        #expect([1, 2, 3, 4, 6].map { mode.varint($0) } == [2, 1, 3, 5, 1])
        let timeout = try #require(try encoded.message(ResponseField.overrideMessageTimeout))
        #expect(timeout.varint(1) == 1)
        #expect(timeout.varint(2) == 500_000_000)
    }

    @Test func anUnrecognizedBodyModeIsSentByNumber() throws {
        let response = ProcessingResponse(
            .continue(CommonResponse()),
            modeOverride: ProcessingMode(requestBodyMode: .unrecognized(9))
        )
        let mode = try #require(try ProtobufFields(encodeResponse(response, answering: .requestHeaders)).message(9))
        #expect(mode.numbers == [3])
        #expect(mode.varint(3) == 9)
    }

    private func setHeaderOption(_ option: HeaderValueOption) throws -> ProtobufFields {
        let response = ProcessingResponse(
            .continue(CommonResponse(headerMutation: HeaderMutation(setHeaders: [option])))
        )
        let encoded = try ProtobufFields(encodeResponse(response, answering: .requestHeaders))
        return try #require(try encoded.message(1)?.message(1)?.message(2)?.message(1))
    }

    private func bodyMutation(_ mutation: BodyMutation) throws -> ProtobufFields {
        let response = ProcessingResponse(.continue(CommonResponse(bodyMutation: mutation)))
        let encoded = try ProtobufFields(encodeResponse(response, answering: .requestBody))
        return try #require(try encoded.message(3)?.message(1)?.message(3))
    }
}

/// Reads a `google.protobuf.Struct` back, by field numbers from struct.proto.
private func decodeStruct(_ structure: ProtobufFields) throws -> ProtoStruct {
    var fields: [String: ProtoValue] = [:]
    for entry in try structure.messages(1) {
        fields[entry.string(1) ?? ""] = try decodeValue(try entry.message(2) ?? ProtobufFields([]))
    }
    return ProtoStruct(fields: fields)
}

private func decodeValue(_ value: ProtobufFields) throws -> ProtoValue {
    switch value.numbers {
    case [1]: return .null
    case [2]: return .number(value.double(2) ?? .nan)
    case [3]: return .string(value.string(3) ?? "")
    case [4]: return .bool(value.varint(4) == 1)
    case [5]: return .structure(try decodeStruct(try value.message(5) ?? ProtobufFields([])))
    case [6]: return .list(try (try value.message(6)?.messages(1) ?? []).map(decodeValue))
    default:
        Issue.record("Value with fields \(value.numbers)")
        return .null
    }
}

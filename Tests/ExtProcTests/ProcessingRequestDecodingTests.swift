import Testing

@testable import ExtProc

@Suite struct ProcessingRequestDecodingTests {
    @Test func requestHeadersKeepOrderDuplicatesAndRawBytes() throws {
        let bytes = requestBytes { request in
            request.message(RequestField.requestHeaders) { headers in
                writeHeaderMap(&headers, field: 1, [(":method", "POST"), ("x-a", "1"), ("x-a", "2"), (":path", "/v1")])
                headers.bool(3, true)
            }
        }
        let request = try decodeRequest(bytes)
        #expect(request.phase == .requestHeaders)
        #expect(
            request.payload
                == .requestHeaders(
                    HTTPHeaders(
                        fields: [
                            HeaderField(name: ":method", value: "POST"), HeaderField(name: "x-a", value: "1"),
                            HeaderField(name: "x-a", value: "2"), HeaderField(name: ":path", value: "/v1"),
                        ],
                        endOfStream: true
                    )
                )
        )
        #expect(request.observabilityMode == false)
        #expect(request.protocolConfiguration == nil)
    }

    @Test func rawValueWinsOverValueAndValueIsTheFallback() throws {
        let bytes = requestBytes { request in
            request.message(RequestField.responseHeaders) { headers in
                headers.message(1) { map in
                    map.message(1) { header in
                        header.string(1, "both")
                        header.string(2, "from-value")
                        header.bytes(3, Array("from-raw".utf8))
                    }
                    map.message(1) { header in
                        header.string(1, "value-only")
                        header.string(2, "legacy")
                    }
                    map.message(1) { header in
                        header.string(1, "binary")
                        header.bytes(3, [0xFF, 0x00, 0x41])
                    }
                }
            }
        }
        guard case .responseHeaders(let headers) = try decodeRequest(bytes).payload else {
            Issue.record("expected response headers")
            return
        }
        #expect(headers.endOfStream == false)
        #expect(headers.fields.first(named: "both")?.value == "from-raw")
        #expect(headers.fields.first(named: "VALUE-ONLY")?.value == "legacy")
        // Bytes survive exactly, including NUL and invalid UTF-8.
        #expect(headers.fields.first(named: "binary")?.rawValue == [0xFF, 0x00, 0x41])
        #expect(headers.fields.values(named: "both") == ["from-raw"])
    }

    @Test(arguments: [ProcessingPhase.requestBody, .responseBody])
    func bodies(phase: ProcessingPhase) throws {
        let body: [UInt8] = Array(0...255) + Array(repeating: 7, count: 20_000)
        let bytes = requestBytes { request in
            request.message(phase.requestField) { message in
                message.bytes(1, body)
                message.bool(2, true)
            }
        }
        let expected = HTTPBody(bytes: body, endOfStream: true)
        let request = try decodeRequest(bytes)
        #expect(request.phase == phase)
        #expect(request.payload == (phase == .requestBody ? .requestBody(expected) : .responseBody(expected)))
    }

    @Test func emptyBodyMessage() throws {
        let request = try decodeRequest(ProcessingPhase.requestBody.minimalRequest)
        #expect(request.payload == .requestBody(HTTPBody(bytes: [], endOfStream: false)))
    }

    @Test(arguments: [ProcessingPhase.requestTrailers, .responseTrailers])
    func trailers(phase: ProcessingPhase) throws {
        let bytes = requestBytes { request in
            request.message(phase.requestField) { trailers in
                writeHeaderMap(&trailers, field: 1, [("grpc-status", "0"), ("x-checksum", "abc")])
            }
        }
        let fields = [HeaderField(name: "grpc-status", value: "0"), HeaderField(name: "x-checksum", value: "abc")]
        let request = try decodeRequest(bytes)
        #expect(request.payload == (phase == .requestTrailers ? .requestTrailers(fields) : .responseTrailers(fields)))
    }

    @Test func attributesAndMetadataBecomeProtoValues() throws {
        let bytes = requestBytes { request in
            request.message(RequestField.requestHeaders) { _ in }
            request.message(RequestField.attributes) { entry in
                entry.string(1, "envoy.filters.http.ext_proc")
                entry.message(2) { structure in
                    writeEntry(&structure, "request.path") { $0.string(3, "/v1/chat") }
                    writeEntry(&structure, "request.size") { $0.double(2, 1234.5) }
                    writeEntry(&structure, "tls") { $0.bool(4, false) }
                    writeEntry(&structure, "nothing") { $0.varint(1, 0) }
                    writeEntry(&structure, "unset") { _ in }
                    writeEntry(&structure, "nested") { value in
                        value.message(5) { inner in writeEntry(&inner, "a") { $0.string(3, "b") } }
                    }
                    writeEntry(&structure, "list") { value in
                        value.message(6) { list in
                            list.message(1) { $0.double(2, 1) }
                            list.message(1) { $0.string(3, "two") }
                        }
                    }
                }
            }
            request.message(RequestField.metadataContext) { metadata in
                metadata.message(1) { entry in
                    entry.string(1, "tenant")
                    entry.message(2) { structure in writeEntry(&structure, "id") { $0.string(3, "t-1") } }
                }
            }
        }
        let request = try decodeRequest(bytes)
        let expected: ProtoStruct = [
            "request.path": "/v1/chat", "request.size": 1234.5, "tls": false, "nothing": nil, "unset": nil,
            "nested": ["a": "b"], "list": [1, "two"],
        ]
        #expect(request.attributes == ["envoy.filters.http.ext_proc": expected])
        #expect(request.metadataContext == ["tenant": ["id": "t-1"]])
    }

    @Test func observabilityModeAndProtocolConfiguration() throws {
        let bytes = requestBytes { request in
            request.message(RequestField.requestHeaders) { _ in }
            request.bool(RequestField.observabilityMode, true)
            request.message(RequestField.protocolConfig) { config in
                config.varint(1, 2)
                config.varint(2, 4)
                config.bool(3, true)
            }
        }
        let request = try decodeRequest(bytes)
        #expect(request.observabilityMode)
        #expect(
            request.protocolConfiguration
                == ProtocolConfiguration(
                    requestBodyMode: .buffered,
                    responseBodyMode: .fullDuplexStreamed,
                    sendBodyWithoutWaitingForHeaderResponse: true
                )
        )
    }

    @Test func bodyModesAreReadByNumberAndUnknownOnesKeepTheirNumber() throws {
        let modes: [ProcessingMode.BodySendMode] = [
            .none, .streamed, .buffered, .bufferedPartial, .fullDuplexStreamed, .grpc, .unrecognized(6),
        ]
        for (number, mode) in modes.enumerated() {
            let bytes = requestBytes { request in
                request.message(RequestField.requestBody) { _ in }
                request.message(RequestField.protocolConfig) { $0.varint(2, UInt64(number)) }
            }
            let configuration = try #require(try decodeRequest(bytes).protocolConfiguration)
            #expect(configuration.responseBodyMode == mode, "mode \(number)")
            #expect(configuration.requestBodyMode == .none)
        }
    }

    @Test func unknownFieldsAreSkipped() throws {
        let bytes = requestBytes { request in
            request.message(12) { $0.varint(1, 65_536) }  // flow_control_init, not decoded
            request.varint(99, 5)
            request.message(RequestField.requestTrailers) { _ in }
            request.string(1_000, "future")
        }
        #expect(try decodeRequest(bytes).payload == .requestTrailers([]))
    }

    @Test func aMessageWithoutPhaseIsMissingPhase() {
        #expect(throws: ExtProcError.missingPhase) { try decodeRequest([]) }
        #expect(throws: ExtProcError.missingPhase) {
            try decodeRequest(requestBytes { $0.bool(RequestField.observabilityMode, true) })
        }
    }

    @Test(
        arguments: [
            [0x12],  // tag of request_headers without a length
            [0x12, 0x05, 0x0A],  // length past the end
            [0x12, 0x80],  // truncated length varint
            [0x17],  // wire type 7 does not exist
            [0x10, 0x01],  // request_headers as a varint: wrong wire type
            [0x12, 0x02, 0x0A, 0x05],  // nested HeaderMap longer than its parent
            [0x00, 0x00],  // field number zero
        ] as [[UInt8]]
    )
    func malformedBytesThrow(bytes: [UInt8]) {
        #expect(throws: ExtProcError.malformedMessage) { try decodeRequest(bytes) }
    }

    @Test func everyTruncationOfAValidMessageDecodesOrThrows() throws {
        let full = requestBytes { request in
            request.message(RequestField.requestHeaders) { headers in
                writeHeaderMap(&headers, field: 1, [(":path", "/a"), ("x-long", String(repeating: "v", count: 300))])
                headers.bool(3, true)
            }
            request.message(RequestField.attributes) { entry in
                entry.string(1, "k")
                entry.message(2) { writeEntry(&$0, "x") { $0.double(2, 1) } }
            }
        }
        var failures = 0
        let arena = ProtobufArena()
        for length in 0..<full.count {
            do {
                _ = try decodeRequest(Array(full[..<length]), arena: arena)
            } catch {
                failures += 1
            }
            arena.reset()
        }
        #expect(failures > full.count / 2)
        #expect(try decodeRequest(full, arena: arena).phase == .requestHeaders)
    }

    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 0x7011_6A7E)
        var outcomes = (decoded: 0, failed: 0)
        let arena = ProtobufArena()
        for _ in 0..<5_000 {
            let count = Int(generator.next() % 64)
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            do {
                _ = try decodeRequest(bytes, arena: arena)
                outcomes.decoded += 1
            } catch {
                outcomes.failed += 1
            }
            arena.reset()
        }
        #expect(outcomes.failed > 0)
        #expect(outcomes.decoded + outcomes.failed == 5_000)
    }

    @Test func oneArenaServesManyMessagesOfAnySize() throws {
        let arena = ProtobufArena()
        for size in [0, 10, 2_000, 9_000, 100_000, 5] {
            let headers = (0..<(size / 50 + 1)).map { ("x-h\($0)", String(repeating: "z", count: 40)) }
            let bytes = requestBytes { request in
                request.message(RequestField.requestHeaders) { writeHeaderMap(&$0, field: 1, headers) }
            }
            guard case .requestHeaders(let decoded) = try decodeRequest(bytes, arena: arena).payload else {
                Issue.record("expected request headers")
                return
            }
            #expect(decoded.fields.count == headers.count)
            #expect(decoded.fields.last?.value == headers.last?.1)
            arena.reset()
        }
    }
}

/// Writes one `google.protobuf.Struct` map entry whose Value is built by `value`.
private func writeEntry(_ structure: inout ProtobufWriter, _ key: String, _ value: (inout ProtobufWriter) -> Void) {
    structure.message(1) { entry in
        entry.string(1, key)
        entry.message(2, value)
    }
}

/// A seeded generator, so a failing random input can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

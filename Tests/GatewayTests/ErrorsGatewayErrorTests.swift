import ExtProc
import Foundation
import Gateway
import Testing

@Suite struct ErrorsGatewayErrorTests {
    /// Every case, with the status and the types/codes the contract and the providers' SDKs expect.
    static let cases:
        [(GatewayError, status: Int, openAIType: String, code: String?, param: String?, anthropic: String)] = [
            (.missingKey, 401, "invalid_request_error", "invalid_api_key", nil, "authentication_error"),
            (.invalidKey, 401, "invalid_request_error", "invalid_api_key", nil, "authentication_error"),
            (
                .modelNotAllowed("gpt-4o"), 403, "invalid_request_error", "model_not_allowed", "model",
                "permission_error"
            ),
            (.modelNotFound("nope"), 404, "invalid_request_error", "model_not_found", "model", "not_found_error"),
            (
                .malformedBody("unexpected end of JSON at byte 3"), 400, "invalid_request_error", nil, nil,
                "invalid_request_error"
            ),
            (
                .missingModel, 400, "invalid_request_error", "missing_required_parameter", "model",
                "invalid_request_error"
            ),
            (.modelNotAString, 400, "invalid_request_error", nil, "model", "invalid_request_error"),
            (.bodyTooLarge(limit: 1024), 413, "invalid_request_error", "request_too_large", nil, "request_too_large"),
            (.unknownPath("/v1/nope"), 404, "invalid_request_error", "unknown_url", nil, "not_found_error"),
            (
                .methodNotAllowed(method: "GET", allowed: "POST"), 405, "invalid_request_error", "method_not_allowed",
                nil,
                "invalid_request_error"
            ),
            (
                .endpointNotSupported(model: "m", path: "/v1/messages"), 400, "invalid_request_error", nil, "model",
                "invalid_request_error"
            ),
            (.upstreamCredentialMissing(provider: "secret-provider-name"), 500, "server_error", nil, nil, "api_error"),
            (.requestStateMissing, 500, "server_error", nil, nil, "api_error"),
            (
                .backendUnresolved("backend internal/7 missing in cluster tollgate_model_x"), 500, "server_error", nil,
                nil,
                "api_error"
            ),
        ]

    @Test func everyKindIsListedOnce() {
        #expect(Set(Self.cases.map(\.0.kind)) == Set(GatewayError.allKinds))
        #expect(GatewayError.allKinds.count == Self.cases.count)
    }

    @Test(arguments: 0..<cases.count)
    func openAIShape(index: Int) throws {
        let (error, status, type, code, param, _) = Self.cases[index]
        let response = error.immediateResponse(in: .openAI)
        #expect(response.status == status)
        #expect(error.status == status)
        #expect(
            response.headers.setHeaders.first { $0.header.name == "content-type" }?.header.value == "application/json"
        )
        #expect(response.details == "tollgate_" + error.kind)

        let root = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(Set(root.keys) == ["error"])
        let body = try #require(root["error"] as? [String: Any])
        #expect(Set(body.keys) == ["message", "type", "param", "code"])
        #expect(body["message"] as? String == error.message)
        #expect(body["type"] as? String == type)
        if let code { #expect(body["code"] as? String == code) } else { #expect(body["code"] is NSNull) }
        if let param { #expect(body["param"] as? String == param) } else { #expect(body["param"] is NSNull) }
    }

    @Test(arguments: 0..<cases.count)
    func anthropicShape(index: Int) throws {
        let (error, status, _, _, _, type) = Self.cases[index]
        let response = error.immediateResponse(in: .anthropic)
        #expect(response.status == status)
        #expect(
            response.headers.setHeaders.first { $0.header.name == "content-type" }?.header.value == "application/json"
        )

        let root = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(Set(root.keys) == ["type", "error"])
        #expect(root["type"] as? String == "error")
        let body = try #require(root["error"] as? [String: Any])
        #expect(Set(body.keys) == ["type", "message"])
        #expect(body["type"] as? String == type)
        #expect(body["message"] as? String == error.message)
    }

    @Test func serverErrorsKeepInternalDetailOutOfTheBody() throws {
        for error in [
            GatewayError.upstreamCredentialMissing(provider: "secret-provider-name"),
            .backendUnresolved("backend internal/7 missing in cluster tollgate_model_x"),
            .requestStateMissing,
        ] {
            for dialect in [APIDialect.openAI, .anthropic] {
                let body = String(decoding: error.body(in: dialect), as: UTF8.self)
                #expect(!body.contains("secret-provider-name"))
                #expect(!body.contains("internal/7"))
                #expect(!body.contains("tollgate_model"))
                #expect(body.contains("could not route"))
            }
            // Logs do get the detail.
            #expect(error.description != error.message)
        }
        #expect(GatewayError.upstreamCredentialMissing(provider: "p1").description.contains("p1"))
    }

    @Test func clientValuesAreEscapedAndClipped() throws {
        let model = "evil\"}\n\u{1}" + String(repeating: "x", count: 500)
        let body = GatewayError.modelNotFound(model).body(in: .openAI)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let message = try #require((root["error"] as? [String: Any])?["message"] as? String)
        #expect(message.hasPrefix("The model 'evil\"}\n\u{1}xxx"))
        #expect(message.count < 260)
        #expect(body.count < 400)
    }

    @Test func methodNotAllowedNamesTheAllowedMethod() {
        let response = GatewayError.methodNotAllowed(method: "GET", allowed: "POST").immediateResponse(in: .openAI)
        #expect(response.headers.setHeaders.first { $0.header.name == "allow" }?.header.value == "POST")
        #expect(
            GatewayError.missingKey.immediateResponse(in: .openAI).headers.setHeaders.map(\.header.name) == [
                "content-type"
            ]
        )
    }

    @Test func exactOpenAIBytes() {
        let body = String(decoding: GatewayError.invalidKey.body(in: .openAI), as: UTF8.self)
        #expect(
            body
                == #"{"error":{"message":"Invalid API key.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}"#
        )
        let anthropic = String(decoding: GatewayError.invalidKey.body(in: .anthropic), as: UTF8.self)
        #expect(anthropic == #"{"type":"error","error":{"type":"authentication_error","message":"Invalid API key."}}"#)
    }
}

@Suite struct JSONWriterTests {
    @Test(arguments: [
        ("plain", #""plain""#),
        ("q\"b\\s/", #""q\"b\\s/""#),
        ("\n\r\t", #""\n\r\t""#),
        ("\u{0}\u{1F}\u{8}\u{C}", #""\u0000\u001f\u0008\u000c""#),
        ("é中😀\u{7F}", "\"é中😀\u{7F}\""),
        ("", #""""#),
    ])
    func escapesStrings(input: String, expected: String) throws {
        var writer = JSONWriter()
        writer.string(input)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
        #expect(JSONWriter.encodedLength(of: input) == writer.bytes.count)
        // Foundation reads back the same string.
        let parsed = try JSONSerialization.jsonObject(with: Data(writer.bytes), options: .fragmentsAllowed)
        #expect(parsed as? String == input)
    }

    @Test func everyControlCharacterRoundTrips() throws {
        let input = String(decoding: (0..<0x20).map { UInt8($0) } + Array("end".utf8), as: UTF8.self)
        var writer = JSONWriter()
        writer.string(input)
        let parsed = try JSONSerialization.jsonObject(with: Data(writer.bytes), options: .fragmentsAllowed)
        #expect(parsed as? String == input)
        #expect(!writer.bytes.contains { $0 < 0x20 })
    }
}

import FakeProvider
import Foundation
import Testing

@Suite struct HTTPRequestReaderTests {
    static let wire = Array(
        "POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-Test:  v \r\n\r\nhello".utf8
    )

    @Test func wholeAndByteByByte() {
        var whole = HTTPRequestReader()
        whole.append(Self.wire)
        guard case .request(let request) = whole.next() else {
            Issue.record("no request")
            return
        }
        #expect(request.method == "POST")
        #expect(request.path == "/v1/chat/completions")
        #expect(request.query == "x=1")
        #expect(request.header("x-test") == "v")
        #expect(request.body == Array("hello".utf8))
        #expect(!request.wantsClose)
        #expect(whole.next() == .needMore)

        var bytewise = HTTPRequestReader()
        var got: HTTPRequest?
        for byte in Self.wire {
            #expect(got == nil)
            bytewise.append([byte])
            if case .request(let request) = bytewise.next() {
                got = request
            }
        }
        #expect(got == request)
    }

    @Test func chunkedAndPipelined() {
        var reader = HTTPRequestReader()
        reader.append(
            Array(
                "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\nGET /b HTTP/1.0\r\n\r\n"
                    .utf8
            )
        )
        guard case .request(let first) = reader.next(), case .request(let second) = reader.next() else {
            Issue.record("expected two requests")
            return
        }
        #expect(first.body == Array("abcde".utf8))
        #expect(second.path == "/b")
        #expect(second.wantsClose)
        #expect(reader.next() == .needMore)
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n", "GET nopath HTTP/1.1\r\n\r\n", "GET / HTTP/2\r\n\r\n",
        "GET / HTTP/1.1\r\nbad header\r\n\r\n",
        "POST / HTTP/1.1\r\ncontent-length: -1\r\n\r\n", "POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
    ])
    func invalid(_ text: String) {
        var reader = HTTPRequestReader()
        reader.append(Array(text.utf8))
        guard case .invalid = reader.next() else {
            Issue.record("accepted \(text.debugDescription)")
            return
        }
    }

    @Test func bodyOverTheLimit() {
        var reader = HTTPRequestReader(maxBodyBytes: 4)
        reader.append(Array("POST / HTTP/1.1\r\ncontent-length: 5\r\n\r\n".utf8))
        #expect(reader.next() == .invalid("body too large"))
    }
}

@Suite struct FakeProviderResponderTests {
    static let responder = FakeProviderResponder(models: ["m1", "m2"], clock: { 1_700_000_000 })

    static func post(_ path: String, _ body: String, headers: [(name: String, value: String)] = []) -> HTTPRequest {
        HTTPRequest(method: "POST", path: path, headers: headers, body: Array(body.utf8))
    }

    static func json(_ response: HTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    @Test func chatCompletionEchoesModelAndMessage() throws {
        let response = Self.responder.respond(
            to: Self.post(
                "/v1/chat/completions",
                #"{"model":"gpt-x","messages":[{"role":"system","content":"s"},{"role":"user","content":"ping"}]}"#
            )
        )
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        let object = try Self.json(response)
        #expect(object["object"] as? String == "chat.completion")
        #expect(object["model"] as? String == "gpt-x")
        #expect(object["created"] as? Int == 1_700_000_000)
        let message = ((object["choices"] as? [[String: Any]])?.first?["message"]) as? [String: Any]
        #expect(message?["role"] as? String == "assistant")
        #expect((message?["content"] as? String)?.hasSuffix("You said: ping") == true)
        let usage = try #require(object["usage"] as? [String: Int])
        #expect(usage["total_tokens"] == usage["prompt_tokens"]! + usage["completion_tokens"]!)
    }

    @Test func streamedChatEndsWithDoneAndUsage() throws {
        let response = Self.responder.respond(
            to: Self.post(
                "/v1/chat/completions",
                #"{"model":"gpt-x","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":[{"type":"text","text":"hi there"}]}]}"#
            )
        )
        #expect(response.status == 200)
        #expect(response.streamed)
        #expect(response.header("content-type") == "text/event-stream")
        let text = String(decoding: response.body, as: UTF8.self)
        let events = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(events.allSatisfy { $0.hasPrefix("data: ") })
        #expect(events.last == "data: [DONE]")
        let chunks = try events.dropLast().map { event in
            try #require(try JSONSerialization.jsonObject(with: Data(event.dropFirst(6).utf8)) as? [String: Any])
        }
        #expect(
            chunks.allSatisfy {
                $0["object"] as? String == "chat.completion.chunk" && $0["model"] as? String == "gpt-x"
            }
        )
        let content = chunks.compactMap {
            (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
        }.joined()
        #expect(content.hasSuffix("You said: hi there"))
        #expect((chunks.last?["usage"] as? [String: Int])?["total_tokens"] != nil)
        #expect((chunks.last?["choices"] as? [Any])?.isEmpty == true)
        // Chunked framing on the wire, ending with the zero chunk.
        let wire = String(decoding: response.serialized(close: false), as: UTF8.self)
        #expect(wire.contains("transfer-encoding: chunked\r\n"))
        #expect(wire.hasSuffix("0\r\n\r\n"))
    }

    @Test func completionsEmbeddingsAndModels() throws {
        let completion = try Self.json(
            Self.responder.respond(to: Self.post("/v1/completions", #"{"model":"c","prompt":"x"}"#))
        )
        #expect(completion["object"] as? String == "text_completion")
        #expect(completion["model"] as? String == "c")

        let embeddings = try Self.json(
            Self.responder.respond(to: Self.post("/v1/embeddings", #"{"model":"e","input":["a","b"]}"#))
        )
        let data = try #require(embeddings["data"] as? [[String: Any]])
        #expect(data.count == 2)
        #expect((data[0]["embedding"] as? [Double])?.count == 8)
        #expect(embeddings["model"] as? String == "e")

        let models = try Self.json(Self.responder.respond(to: HTTPRequest(method: "GET", path: "/v1/models")))
        #expect((models["data"] as? [[String: Any]])?.map { $0["id"] as? String } == ["m1", "m2"])
    }

    @Test func azurePathsUseTheDeployment() throws {
        let object = try Self.json(
            Self.responder.respond(
                to: Self.post("/openai/deployments/dep-1/chat/completions", #"{"messages":[]}"#)
            )
        )
        #expect(object["model"] as? String == "dep-1")
    }

    @Test func errorsAreOpenAIShaped() throws {
        let cases: [(HTTPRequest, Int)] = [
            (Self.post("/v1/chat/completions", "{not json"), 400),
            (Self.post("/v1/chat/completions", #"{"messages":[]}"#), 400),
            (Self.post("/v1/nope", "{}"), 404),
            (HTTPRequest(method: "GET", path: "/v1/chat/completions"), 405),
        ]
        for (request, status) in cases {
            let response = Self.responder.respond(to: request)
            #expect(response.status == status, "\(request.path)")
            let error = try Self.json(response)["error"] as? [String: Any]
            #expect(error?["message"] is String)
            #expect(error?["type"] is String)
        }
    }

    @Test func requiredKey() {
        let responder = FakeProviderResponder(apiKey: "sk-fake")
        let body = #"{"model":"m","messages":[]}"#
        #expect(responder.respond(to: Self.post("/v1/chat/completions", body)).status == 401)
        #expect(
            responder.respond(to: Self.post("/v1/chat/completions", body, headers: [("authorization", "Bearer sk-no")]))
                .status == 401
        )
        #expect(
            responder.respond(
                to: Self.post("/v1/chat/completions", body, headers: [("authorization", "Bearer sk-fake")])
            ).status == 200
        )
        #expect(
            responder.respond(to: Self.post("/v1/chat/completions", body, headers: [("api-key", "sk-fake")])).status
                == 200
        )
    }
}

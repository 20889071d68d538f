import Foundation

/// A fake OpenAI-compatible API: answers the endpoints Tollgate routes with valid OpenAI-shaped JSON,
/// usage included, echoing the requested model. Used by the quick start when no provider key is set,
/// and by tests; it never calls out anywhere.
///
/// - `POST /v1/chat/completions`: a `chat.completion` whose message echoes the last user message;
///   `"stream": true` gives `chat.completion.chunk` server-sent events ending in `data: [DONE]`,
///   with a usage chunk first when `stream_options.include_usage` is true.
/// - `POST /v1/completions`: a `text_completion` (streamed likewise).
/// - `POST /v1/embeddings`: one small deterministic vector per input.
/// - `GET /v1/models`: the configured model names.
/// - Azure OpenAI paths (`/openai/deployments/{deployment}/...`) are answered the same way, with
///   the deployment as the model when the body names none.
///
/// With `apiKey` set, a request must carry it (`Authorization: Bearer`, `api-key` or `x-api-key`),
/// else 401: the quick start uses that to show the gateway injects the provider's key.
public struct FakeProviderResponder: Sendable {
    public var models: [String]
    public var apiKey: String?
    /// Seconds since 1970 for `created`; fixed in tests.
    public var clock: @Sendable () -> Int

    public init(
        models: [String] = ["fake-model"],
        apiKey: String? = nil,
        clock: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }
    ) {
        self.models = models
        self.apiKey = apiKey
        self.clock = clock
    }

    private enum Operation {
        case chat
        case completion
        case embedding
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        if let apiKey, !isAuthorized(request, key: apiKey) {
            return error(401, "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key")
        }
        var path = request.path
        var deployment: String?
        if path.hasPrefix("/openai/deployments/") {
            let parts = path.split(separator: "/", omittingEmptySubsequences: true)
            // openai, deployments, {deployment}, rest...
            guard parts.count >= 4 else {
                return error(404, "Unknown path \(request.path).", type: "invalid_request_error", code: "not_found")
            }
            deployment = String(parts[2])
            path = "/v1/" + parts[3...].joined(separator: "/")
        }
        if path == "/v1/models" || path == "/models" {
            guard request.method == "GET" else {
                return error(405, "Use GET for \(request.path).", type: "invalid_request_error", code: nil)
            }
            return json(200, modelList())
        }
        let operation: Operation
        switch path {
        case "/v1/chat/completions", "/chat/completions": operation = .chat
        case "/v1/completions", "/completions": operation = .completion
        case "/v1/embeddings", "/embeddings": operation = .embedding
        default:
            return error(404, "Unknown path \(request.path).", type: "invalid_request_error", code: "not_found")
        }
        guard request.method == "POST" else {
            return error(405, "Use POST for \(request.path).", type: "invalid_request_error", code: nil)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
            return error(400, "The request body is not a JSON object.", type: "invalid_request_error", code: nil)
        }
        guard let model = (object["model"] as? String) ?? deployment, !model.isEmpty else {
            return error(400, "you must provide a model parameter", type: "invalid_request_error", code: nil)
        }
        let stream = object["stream"] as? Bool ?? false
        let includeUsage = (object["stream_options"] as? [String: Any])?["include_usage"] as? Bool ?? false
        switch operation {
        case .chat:
            let prompt = Self.lastUserText(object["messages"])
            let reply = "Hello from tollgate fake-provider (\(model)). You said: \(Self.truncated(prompt))"
            return stream
                ? chatStream(model: model, prompt: prompt, reply: reply, includeUsage: includeUsage)
                : json(200, chat(model: model, prompt: prompt, reply: reply))
        case .completion:
            let prompt = Self.text(object["prompt"])
            let reply = " fake completion from \(model)."
            return stream
                ? completionStream(model: model, prompt: prompt, reply: reply, includeUsage: includeUsage)
                : json(200, completion(model: model, prompt: prompt, reply: reply))
        case .embedding:
            return json(200, embeddings(model: model, input: object["input"]))
        }
    }

    // MARK: Bodies

    private func modelList() -> [String: Any] {
        [
            "object": "list",
            "data": models.map { ["id": $0, "object": "model", "created": 0, "owned_by": "tollgate-fake-provider"] },
        ]
    }

    private func chat(model: String, prompt: String, reply: String) -> [String: Any] {
        [
            "id": "chatcmpl-fake-\(clock())",
            "object": "chat.completion",
            "created": clock(),
            "model": model,
            "choices": [
                [
                    "index": 0,
                    "message": ["role": "assistant", "content": reply],
                    "logprobs": NSNull(),
                    "finish_reason": "stop",
                ]
            ],
            "usage": Self.usage(prompt: prompt, completion: reply),
        ]
    }

    private func chatStream(model: String, prompt: String, reply: String, includeUsage: Bool) -> HTTPResponse {
        let id = "chatcmpl-fake-\(clock())"
        let created = clock()
        func chunk(_ delta: [String: Any], finish: String?) -> [String: Any] {
            var result: [String: Any] = [
                "id": id, "object": "chat.completion.chunk", "created": created, "model": model,
                "choices": [
                    [
                        "index": 0, "delta": delta, "logprobs": NSNull(),
                        "finish_reason": finish.map { $0 as Any } ?? NSNull(),
                    ]
                ],
            ]
            if includeUsage {
                result["usage"] = NSNull()
            }
            return result
        }
        var events: [[String: Any]] = [chunk(["role": "assistant", "content": ""], finish: nil)]
        for piece in Self.pieces(reply) {
            events.append(chunk(["content": piece], finish: nil))
        }
        events.append(chunk([:], finish: "stop"))
        if includeUsage {
            events.append([
                "id": id, "object": "chat.completion.chunk", "created": created, "model": model, "choices": [],
                "usage": Self.usage(prompt: prompt, completion: reply),
            ])
        }
        return sse(events)
    }

    private func completion(model: String, prompt: String, reply: String) -> [String: Any] {
        [
            "id": "cmpl-fake-\(clock())",
            "object": "text_completion",
            "created": clock(),
            "model": model,
            "choices": [["text": reply, "index": 0, "logprobs": NSNull(), "finish_reason": "stop"]],
            "usage": Self.usage(prompt: prompt, completion: reply),
        ]
    }

    private func completionStream(model: String, prompt: String, reply: String, includeUsage: Bool) -> HTTPResponse {
        let id = "cmpl-fake-\(clock())"
        let created = clock()
        var events: [[String: Any]] = Self.pieces(reply).map { piece in
            [
                "id": id, "object": "text_completion", "created": created, "model": model,
                "choices": [["text": piece, "index": 0, "logprobs": NSNull(), "finish_reason": NSNull()]],
            ]
        }
        events.append([
            "id": id, "object": "text_completion", "created": created, "model": model,
            "choices": [["text": "", "index": 0, "logprobs": NSNull(), "finish_reason": "stop"]],
        ])
        if includeUsage {
            events.append([
                "id": id, "object": "text_completion", "created": created, "model": model, "choices": [],
                "usage": Self.usage(prompt: prompt, completion: reply),
            ])
        }
        return sse(events)
    }

    private func embeddings(model: String, input: Any?) -> [String: Any] {
        let inputs: [String]
        switch input {
        case let text as String: inputs = [text]
        case let list as [Any]: inputs = list.map { Self.text($0) }
        default: inputs = [""]
        }
        let tokens = inputs.reduce(0) { $0 + Self.tokens($1) }
        return [
            "object": "list",
            "data": inputs.enumerated().map { index, text in
                ["object": "embedding", "index": index, "embedding": Self.vector(text)]
            },
            "model": model,
            "usage": ["prompt_tokens": tokens, "total_tokens": tokens],
        ]
    }

    // MARK: Helpers

    private func isAuthorized(_ request: HTTPRequest, key: String) -> Bool {
        if let authorization = request.header("authorization"), authorization == "Bearer \(key)" {
            return true
        }
        return request.header("api-key") == key || request.header("x-api-key") == key
    }

    private func error(_ status: Int, _ message: String, type: String, code: String?) -> HTTPResponse {
        json(
            status,
            [
                "error": [
                    "message": message, "type": type, "param": NSNull(), "code": code.map { $0 as Any } ?? NSNull(),
                ]
            ]
        )
    }

    private func json(_ status: Int, _ object: [String: Any]) -> HTTPResponse {
        HTTPResponse(
            status: status,
            headers: [("content-type", "application/json"), ("x-fake-provider", "tollgate")],
            body: Self.encode(object)
        )
    }

    private func sse(_ events: [[String: Any]]) -> HTTPResponse {
        var chunks = events.map { Array("data: ".utf8) + Self.encode($0) + Array("\n\n".utf8) }
        chunks.append(Array("data: [DONE]\n\n".utf8))
        return HTTPResponse(
            status: 200,
            headers: [
                ("content-type", "text/event-stream"), ("cache-control", "no-cache"), ("x-fake-provider", "tollgate"),
            ],
            chunks: chunks
        )
    }

    static func encode(_ object: Any) -> [UInt8] {
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return Array(data)
    }

    static func usage(prompt: String, completion: String) -> [String: Int] {
        let promptTokens = tokens(prompt)
        let completionTokens = tokens(completion)
        return [
            "prompt_tokens": promptTokens,
            "completion_tokens": completionTokens,
            "total_tokens": promptTokens + completionTokens,
        ]
    }

    /// A rough token count (about four characters per token), at least 1.
    static func tokens(_ text: String) -> Int {
        max(1, (text.unicodeScalars.count + 3) / 4)
    }

    /// The reply cut into word-sized stream deltas, spaces kept.
    static func pieces(_ text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == " " {
                pieces.append(current)
                current = ""
            }
        }
        if !current.isEmpty {
            pieces.append(current)
        }
        return pieces
    }

    /// Eight numbers from the text's bytes, the same for the same text.
    static func vector(_ text: String) -> [Double] {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return (0..<8).map { index in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 &+ UInt64(index)
            return Double(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
        }
    }

    static func truncated(_ text: String) -> String {
        text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// The text of the last user message: a string, or the text parts of a content list.
    static func lastUserText(_ messages: Any?) -> String {
        guard let messages = messages as? [Any] else {
            return ""
        }
        for case let message as [String: Any] in messages.reversed() where message["role"] as? String == "user" {
            return text(message["content"])
        }
        return ""
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case let string as String:
            return string
        case let parts as [Any]:
            return parts.map { part in
                if let part = part as? [String: Any] {
                    return part["text"] as? String ?? ""
                }
                return text(part)
            }.joined(separator: " ")
        case let number as NSNumber:
            return number.stringValue
        default:
            return ""
        }
    }
}

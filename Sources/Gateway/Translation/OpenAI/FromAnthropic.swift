/// Anthropic Messages clients (Claude Code, Anthropic's SDKs) served by an OpenAI-compatible
/// chat completions backend.
///
/// Requests go from Anthropic's shape to OpenAI's; responses, errors and streams come back the
/// other way (`FromAnthropic+Stream.swift`).
///
/// Request
/// - `system` (a string or text blocks, joined with a blank line) → a leading `system` message.
/// - User turns: `tool_result` blocks → `tool` messages, first and in order (OpenAI requires them
///   right after the assistant's `tool_calls`); the turn's other blocks → one `user` message
///   (text joined into a string when it is all text, otherwise content parts). Images in a tool
///   result, which `tool` messages cannot carry, go to that user message.
/// - Assistant turns: text → `content`, `tool_use` → `tool_calls` with the input serialised as
///   the arguments string; thinking blocks are left out (OpenAI-compatible backends have no
///   field for them, and their signatures mean nothing there).
/// - Images: `base64` sources → data URLs, `url` sources → URLs. PDF `document` blocks → `file`
///   parts; plain-text documents → text.
/// - `tools` (client tools) → function tools; server tools (`web_search_…`, `bash_…`) run at
///   Anthropic and are refused. `tool_choice` auto/any/tool/none → auto/required/named/none,
///   `disable_parallel_tool_use` → `parallel_tool_calls: false`.
/// - `max_tokens` → the configured field (`max_completion_tokens` by default);
///   `stop_sequences` → `stop`; `temperature`, `top_p`; `metadata.user_id` → `user`; `stream` →
///   `stream` plus `stream_options.include_usage`, so the gateway learns the usage, which the
///   Anthropic client receives in `message_delta` anyway. `top_k`, `thinking`, `cache_control`
///   and other Anthropic-only fields are dropped.
public enum OpenAIFromAnthropic {
    // MARK: - Request

    public static func translateRequest(
        _ body: [UInt8],
        options: RequestTranslationOptions
    ) throws(TranslationError) -> TranslatedRequest {
        let json: JSONValue
        do { json = try JSONValue(parsing: body) } catch { throw .malformedRequest(error) }
        let request: AnthropicMessagesRequest
        do { request = try AnthropicMessagesRequest(json: json) } catch { throw .invalidRequest(error) }
        let translated = try openAIRequest(from: request, options: options)
        return TranslatedRequest(
            body: translated.json.serialized,
            stream: request.stream ?? false,
            clientWantsStreamUsage: true
        )
    }

    /// The OpenAI request for an Anthropic one.
    public static func openAIRequest(
        from request: AnthropicMessagesRequest,
        options: RequestTranslationOptions
    ) throws(TranslationError) -> OpenAIChatRequest {
        var messages: [OpenAIChatMessage] = []
        if let system = request.system {
            let text = system.joinedText()
            if !text.isEmpty { messages.append(OpenAIChatMessage(role: "system", content: .text(text))) }
        }
        for (index, message) in request.messages.enumerated() {
            let path = "messages[\(index)]"
            switch message.role {
            case "user":
                messages.append(contentsOf: try userMessages(message.content.blocks, path: path))
            case "assistant":
                if let translated = try assistantMessage(message.content.blocks, path: path) {
                    messages.append(translated)
                }
            default:
                throw .invalidRequest(
                    "Invalid request: '\(path).role' must be 'user' or 'assistant'; put system prompts in 'system'."
                )
            }
        }

        var tools: [OpenAITool]?
        if let anthropicTools = request.tools, !anthropicTools.isEmpty {
            var mapped: [OpenAITool] = []
            for (index, tool) in anthropicTools.enumerated() {
                guard tool.isClientTool else {
                    throw .unsupported(
                        "'tools[\(index)]': the server tool '\(tool.type ?? tool.name)' is not supported by this model."
                    )
                }
                mapped.append(
                    OpenAITool(
                        name: tool.name,
                        description: tool.description,
                        parameters: tool.inputSchema ?? AnthropicFromOpenAI.emptyObjectSchema
                    )
                )
            }
            tools = mapped
        }

        var toolChoice: OpenAIToolChoice?
        var parallelToolCalls: Bool?
        if tools != nil, let choice = request.toolChoice {
            switch choice.type {
            case "auto": toolChoice = .auto
            case "any": toolChoice = .required
            case "none": toolChoice = .disabled
            case "tool": toolChoice = .function(name: choice.name ?? "")
            default:
                throw .invalidRequest("Invalid request: 'tool_choice.type' '\(choice.type)' is not a known type.")
            }
            if choice.disableParallelToolUse == true && choice.type != "none" { parallelToolCalls = false }
        }

        let stream = request.stream == true
        var translated = OpenAIChatRequest(
            model: options.upstreamModel ?? request.model,
            messages: messages,
            temperature: request.temperature,
            topP: request.topP,
            stop: request.stopSequences?.isEmpty == false ? request.stopSequences : nil,
            stream: stream ? true : nil,
            streamOptions: stream ? JSONObject(["include_usage": .bool(true)]) : nil,
            tools: tools,
            toolChoice: toolChoice,
            parallelToolCalls: parallelToolCalls,
            user: request.metadata?["user_id"]?.stringValue
        )
        if let maxTokens = request.maxTokens {
            switch options.openAIMaxTokensField {
            case .maxTokens: translated.maxTokens = maxTokens
            case .maxCompletionTokens: translated.maxCompletionTokens = maxTokens
            }
        }
        return translated
    }

    /// The `tool` messages and the `user` message of one user turn.
    private static func userMessages(
        _ blocks: [AnthropicContentBlock],
        path: String
    ) throws(TranslationError) -> [OpenAIChatMessage] {
        var toolMessages: [OpenAIChatMessage] = []
        var parts: [OpenAIContentPart] = []
        for (index, block) in blocks.enumerated() {
            let blockPath = "\(path).content[\(index)]"
            switch block {
            case .toolResult(let id, let content, _, _):
                var texts: [String] = []
                switch content {
                case nil: break
                case .text(let text): texts.append(text)
                case .blocks(let resultBlocks):
                    for (resultIndex, resultBlock) in resultBlocks.enumerated() {
                        if case .text(let text, _) = resultBlock {
                            texts.append(text)
                        } else if let part = try part(for: resultBlock, path: "\(blockPath).content[\(resultIndex)]") {
                            // OpenAI's tool messages take text only: anything else rides along
                            // with the user message that follows.
                            parts.append(part)
                        }
                    }
                }
                toolMessages.append(
                    OpenAIChatMessage(role: "tool", content: .text(texts.joined(separator: "\n\n")), toolCallID: id)
                )
            default:
                if let part = try part(for: block, path: blockPath) { parts.append(part) }
            }
        }
        guard !parts.isEmpty else { return toolMessages }
        let allText = parts.allSatisfy { if case .text = $0 { true } else { false } }
        let content: OpenAIMessageContent
        if allText {
            let texts = parts.map { part -> String in
                if case .text(let text, _) = part { return text }
                return ""
            }
            content = .text(texts.joined(separator: "\n\n"))
        } else {
            content = .parts(parts)
        }
        return toolMessages + [OpenAIChatMessage(role: "user", content: content)]
    }

    /// The OpenAI content part for one user block; nil for blocks with no OpenAI equivalent that
    /// can be dropped without changing the request's meaning (thinking).
    private static func part(
        for block: AnthropicContentBlock,
        path: String
    ) throws(TranslationError) -> OpenAIContentPart? {
        switch block {
        case .text(let text, _):
            return .text(text, extra: JSONObject())
        case .image(let source, _):
            switch source {
            case .base64(let mediaType, let data):
                return .imageURL(
                    url: DataURL(mediaType: mediaType, base64Data: data).text,
                    detail: nil,
                    extra: JSONObject()
                )
            case .url(let url):
                return .imageURL(url: url, detail: nil, extra: JSONObject())
            case .other:
                throw .unsupported("'\(path).source': only base64 and url image sources are supported by this model.")
            }
        case .thinking:
            return nil
        case .other("document", let json):
            let source = json["source"]
            switch source?["type"]?.stringValue {
            case "base64" where source?["media_type"]?.stringValue == "application/pdf":
                let data = source?["data"]?.stringValue ?? ""
                var file = JSONObject()
                file.append("filename", .string(json["title"]?.stringValue ?? "document.pdf"))
                file.append("file_data", .string(DataURL(mediaType: "application/pdf", base64Data: data).text))
                return .other(type: "file", .object(JSONObject(["type": .string("file"), "file": .object(file)])))
            case "text":
                return .text(source?["data"]?.stringValue ?? "", extra: JSONObject())
            default:
                throw .unsupported("'\(path)': only base64 PDF and plain-text documents are supported by this model.")
            }
        case .other("redacted_thinking", _):
            return nil
        case .toolUse, .toolResult, .other:
            throw .unsupported(
                "'\(path)': content of type '\(block.type)' is not supported in user messages by this model."
            )
        }
    }

    private static func assistantMessage(
        _ blocks: [AnthropicContentBlock],
        path: String
    ) throws(TranslationError) -> OpenAIChatMessage? {
        var texts: [String] = []
        var toolCalls: [OpenAIToolCall] = []
        for (index, block) in blocks.enumerated() {
            switch block {
            case .text(let text, _):
                texts.append(text)
            case .toolUse(let id, let name, let input, _):
                toolCalls.append(OpenAIToolCall(id: id, name: name, arguments: input.serializedText))
            case .thinking, .other("redacted_thinking", _):
                break
            case .image, .toolResult, .other:
                throw .unsupported(
                    "'\(path).content[\(index)]': content of type '\(block.type)' is not supported in assistant messages by this model."
                )
            }
        }
        if texts.isEmpty && toolCalls.isEmpty { return nil }
        return OpenAIChatMessage(
            role: "assistant",
            content: texts.isEmpty ? nil : .text(texts.joined()),
            contentIsExplicitNull: texts.isEmpty,
            toolCalls: toolCalls.isEmpty ? nil : toolCalls
        )
    }

    // MARK: - Response

    /// A `chat.completion` as an Anthropic message: `content` (and a `refusal`) → a text block,
    /// `tool_calls` → `tool_use` blocks with the arguments parsed into `input`, `finish_reason` →
    /// `stop_reason`, usage with cached tokens split out of the prompt count. Only the first
    /// choice is used; Anthropic has one.
    public static func translateResponse(
        _ body: [UInt8],
        context: ResponseTranslationContext
    ) throws(TranslationError) -> TranslatedResponse {
        let json: JSONValue
        do { json = try JSONValue(parsing: body) } catch { throw .invalidUpstream(error) }
        let completion: OpenAIChatCompletion
        do { completion = try OpenAIChatCompletion(json: json) } catch { throw .invalidUpstream(error) }
        guard let choice = completion.choices.first(where: { $0.index == 0 }) ?? completion.choices.first else {
            throw .invalidUpstreamResponse("no choices")
        }
        var content: [AnthropicContentBlock] = []
        if let text = choice.message.content?.joinedText(separator: ""), !text.isEmpty {
            content.append(.text(text, extra: JSONObject()))
        }
        if let refusal = choice.message.refusal, !refusal.isEmpty {
            content.append(.text(refusal, extra: JSONObject()))
        }
        for call in choice.message.toolCalls ?? [] {
            content.append(
                .toolUse(
                    id: call.id,
                    name: call.name,
                    input: AnthropicFromOpenAI.toolInput(fromArguments: call.arguments),
                    extra: JSONObject()
                )
            )
        }
        let usage = completion.usage.map { TokenUsage(openAI: $0) }
        let message = AnthropicMessageResponse(
            id: completion.id.isEmpty ? "msg_" + context.idSeed : completion.id,
            model: context.model ?? completion.model,
            content: content,
            stopReason: stopReason(forFinishReason: choice.finishReason),
            usage: (usage ?? TokenUsage()).anthropicUsage
        )
        return TranslatedResponse(body: message.json.serialized, usage: usage)
    }

    /// Anthropic's `stop_reason` for OpenAI's `finish_reason`. OpenAI says `stop` both for a
    /// natural end and for a stop sequence, and does not say which sequence: both are `end_turn`.
    static func stopReason(forFinishReason finishReason: String?) -> String {
        switch finishReason {
        case "length": "max_tokens"
        case "tool_calls", "function_call": "tool_use"
        case "content_filter": "refusal"
        default: "end_turn"
        }
    }

    // MARK: - Error

    /// An OpenAI error (status and body) in Anthropic's shape; see `ProviderErrorMapping`.
    public static func translateError(status: Int, body: [UInt8]) -> TranslatedError {
        let error = OpenAIErrorBody(body: body)
        let message = ProviderErrorMapping.clientMessage(status: status, upstreamMessage: error?.message)
        let mapped = ProviderErrorMapping.anthropicError(openAIType: error?.type, code: error?.codeText, status: status)
        return TranslatedError(
            status: mapped.status,
            body: ErrorBodies.body(in: .anthropic, type: mapped.type, message: message)
        )
    }

    // MARK: - Stream

    public static func makeStreamTranslator(context: ResponseTranslationContext) -> StreamTranslator {
        StreamTranslator(context: context)
    }
}

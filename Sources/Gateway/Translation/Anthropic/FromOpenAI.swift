/// OpenAI chat completions clients served by an Anthropic Messages backend.
///
/// Requests go from OpenAI's shape to Anthropic's; responses, errors and streams come back the
/// other way (`FromOpenAI+Stream.swift`). The mapping follows both APIs' references:
///
/// Request
/// - `system` and `developer` messages, wherever they sit, join the top-level `system`.
/// - `user`, `assistant` and `tool` messages become alternating turns: a `tool` message is a
///   `tool_result` block in a user turn, consecutive same-role turns merge (Anthropic refuses two
///   user turns in a row), `tool_result` blocks open their turn, empty text is dropped, and a
///   final assistant turn (a prefill) loses trailing whitespace, which the API refuses.
/// - Assistant `tool_calls` become `tool_use` blocks, their JSON-string arguments parsed back into
///   an object; ids keep to `[A-Za-z0-9_-]`, the pattern Anthropic enforces.
/// - Images: data URLs become `base64` sources, http(s) URLs `url` sources; PDF `file` parts
///   become `document` blocks. Audio and uploaded-file ids have no equivalent (400).
/// - `tools` → `input_schema` tools; `tool_choice` auto/none/required/named → auto/none/any/tool;
///   `parallel_tool_calls: false` → `disable_parallel_tool_use`. `none` keeps the tools and sends
///   `{"type":"none"}`: Anthropic refuses `tool_use` blocks in the history of a request without
///   tools.
/// - `max_completion_tokens` or `max_tokens`, else the configured default (required upstream);
///   `stop` → `stop_sequences`; `temperature` (capped at Anthropic's maximum of 1), `top_p`,
///   `stream`; `user` (or `metadata.user_id`, `metadata.user`) → `metadata.user_id`. `top_k` and
///   `thinking`, which some OpenAI clients send for Claude models, pass through. `n` above 1 is
///   refused. Every other OpenAI field is dropped: Anthropic rejects unknown fields.
public enum AnthropicFromOpenAI {
    // MARK: - Request

    public static func translateRequest(
        _ body: [UInt8],
        options: RequestTranslationOptions
    ) throws(TranslationError) -> TranslatedRequest {
        let json: JSONValue
        do { json = try JSONValue(parsing: body) } catch { throw .malformedRequest(error) }
        let request: OpenAIChatRequest
        do { request = try OpenAIChatRequest(json: json) } catch { throw .invalidRequest(error) }
        let translated = try anthropicRequest(from: request, options: options)
        return TranslatedRequest(
            body: translated.json.serialized,
            stream: request.stream ?? false,
            clientWantsStreamUsage: request.includeUsage
        )
    }

    /// The Anthropic request for an OpenAI one.
    public static func anthropicRequest(
        from request: OpenAIChatRequest,
        options: RequestTranslationOptions
    ) throws(TranslationError) -> AnthropicMessagesRequest {
        if let count = request.choiceCount, count > 1 {
            throw .unsupported("'n' greater than 1 is not supported by this model.")
        }
        var system: [AnthropicContentBlock] = []
        var turns = TurnBuilder()
        for (index, message) in request.messages.enumerated() {
            let path = "messages[\(index)]"
            switch message.role {
            case "system", "developer":
                system.append(contentsOf: try textBlocks(of: message.content, path: path))
            case "user":
                turns.append(role: "user", blocks: try userBlocks(of: message.content, path: path))
            case "assistant":
                turns.append(role: "assistant", blocks: try assistantBlocks(of: message, path: path))
            case "tool":
                guard let id = message.toolCallID else {
                    throw .invalidRequest("Invalid request: '\(path).tool_call_id' is required for tool messages.")
                }
                turns.append(role: "user", blocks: [try toolResult(id: id, content: message.content, path: path)])
            case "function":
                throw .unsupported(
                    "The deprecated 'function' role is not supported by this model; use 'tool' messages."
                )
            default:
                throw .invalidRequest("Invalid request: '\(path).role' '\(message.role)' is not a known role.")
            }
        }
        let messages = turns.finish()
        guard !messages.isEmpty else {
            throw .invalidRequest("Invalid request: 'messages' must contain at least one user or assistant message.")
        }

        var tools: [AnthropicTool]?
        if let openAITools = request.tools, !openAITools.isEmpty {
            var mapped: [AnthropicTool] = []
            for (index, tool) in openAITools.enumerated() {
                guard tool.type == "function" else {
                    throw .unsupported("'tools[\(index)]' of type '\(tool.type)' is not supported by this model.")
                }
                mapped.append(
                    AnthropicTool(
                        name: tool.name,
                        description: tool.description,
                        inputSchema: tool.parameters ?? emptyObjectSchema,
                        extra: cacheControl(of: tool.extra)
                    )
                )
            }
            tools = mapped
        }

        var toolChoice: AnthropicToolChoice?
        if tools != nil {
            switch request.toolChoice {
            case nil: break
            case .auto: toolChoice = AnthropicToolChoice(type: "auto")
            case .disabled: toolChoice = AnthropicToolChoice(type: "none")
            case .required: toolChoice = AnthropicToolChoice(type: "any")
            case .function(let name): toolChoice = AnthropicToolChoice(type: "tool", name: name)
            case .other:
                throw .unsupported("This form of 'tool_choice' is not supported by this model.")
            }
            if request.parallelToolCalls == false && toolChoice?.type != "none" {
                var choice = toolChoice ?? AnthropicToolChoice(type: "auto")
                choice.disableParallelToolUse = true
                toolChoice = choice
            }
        }

        var metadata: JSONObject?
        let user = request.user ?? request.metadata?["user_id"]?.stringValue ?? request.metadata?["user"]?.stringValue
        if let user {
            metadata = JSONObject(["user_id": .string(user)])
        }

        var temperature = request.temperature
        if let value = temperature?.doubleValue, value > 1 {
            temperature = JSONNumber(1)
        }

        let stopSequences = request.stop?.filter { !$0.isEmpty }

        var translated = AnthropicMessagesRequest(
            model: options.upstreamModel ?? request.model,
            messages: messages,
            system: systemPrompt(system),
            maxTokens: request.maxCompletionTokens ?? request.maxTokens ?? options.defaultMaxTokens,
            stopSequences: stopSequences?.isEmpty == false ? stopSequences : nil,
            temperature: temperature,
            topP: request.topP,
            stream: request.stream == true ? true : nil,
            tools: tools,
            toolChoice: toolChoice,
            metadata: metadata
        )
        if let topK = request.extra["top_k"]?.numberValue { translated.topK = topK }
        if let thinking = request.extra["thinking"], !thinking.isNull { translated.thinking = thinking }
        return translated
    }

    /// `{"type":"object","properties":{}}`: Anthropic requires a schema, OpenAI allows none.
    static let emptyObjectSchema = JSONValue.object(
        JSONObject(["type": .string("object"), "properties": .object(JSONObject())])
    )

    /// One text block, as the plain string form, or the blocks.
    private static func systemPrompt(_ blocks: [AnthropicContentBlock]) -> AnthropicSystem? {
        if blocks.isEmpty { return nil }
        if blocks.count == 1, case .text(let text, let extra) = blocks[0], extra.isEmpty { return .text(text) }
        return .blocks(blocks)
    }

    /// Only `cache_control` of a part's unknown members: it means the same to Anthropic (clients
    /// such as LiteLLM's send it), while anything else would be refused as an unknown field.
    private static func cacheControl(of extra: JSONObject) -> JSONObject {
        guard let value = extra["cache_control"] else { return JSONObject() }
        return JSONObject(["cache_control": value])
    }

    /// Reads bytes while they are ASCII, so text that starts with a letter (nearly all of it) is
    /// answered at its first byte without Unicode's property tables; text with non-ASCII
    /// characters before its first ASCII non-space is checked character by character.
    private static func isBlank(_ text: String) -> Bool {
        for byte in text.utf8 {
            guard byte < 0x80 else { return text.allSatisfy(\.isWhitespace) }
            switch byte {
            case ASCII.space, 0x09...0x0D: continue
            default: return false
            }
        }
        return true
    }

    /// Text blocks of a system or developer message: only text is allowed there.
    private static func textBlocks(
        of content: OpenAIMessageContent?,
        path: String
    ) throws(TranslationError) -> [AnthropicContentBlock] {
        switch content {
        case nil: return []
        case .text(let text): return isBlank(text) ? [] : [.text(text, extra: JSONObject())]
        case .parts(let parts):
            var blocks: [AnthropicContentBlock] = []
            for (index, part) in parts.enumerated() {
                guard case .text(let text, let extra) = part else {
                    throw .unsupported("'\(path).content[\(index)]': only text is supported in system messages.")
                }
                if !isBlank(text) { blocks.append(.text(text, extra: cacheControl(of: extra))) }
            }
            return blocks
        }
    }

    private static func userBlocks(
        of content: OpenAIMessageContent?,
        path: String
    ) throws(TranslationError) -> [AnthropicContentBlock] {
        switch content {
        case nil: return []
        case .text(let text): return isBlank(text) ? [] : [.text(text, extra: JSONObject())]
        case .parts(let parts):
            var blocks: [AnthropicContentBlock] = []
            for (index, part) in parts.enumerated() {
                if let block = try block(for: part, path: "\(path).content[\(index)]") { blocks.append(block) }
            }
            return blocks
        }
    }

    /// The Anthropic block for one user content part; nil for blank text.
    private static func block(
        for part: OpenAIContentPart,
        path: String
    ) throws(TranslationError) -> AnthropicContentBlock? {
        switch part {
        case .text(let text, let extra):
            return isBlank(text) ? nil : .text(text, extra: cacheControl(of: extra))
        case .imageURL(let url, _, let extra):
            if let dataURL = DataURL(url) {
                return .image(
                    .base64(mediaType: dataURL.mediaType, data: dataURL.base64Data),
                    extra: cacheControl(of: extra)
                )
            }
            if isHTTPURL(url) {
                return .image(.url(url), extra: cacheControl(of: extra))
            }
            throw .invalidRequest(
                "Invalid request: '\(path).image_url.url' must be an http(s) URL or a base64 data URL."
            )
        case .other(let type, let json):
            switch type {
            case "file":
                guard let fileData = json["file"]?["file_data"]?.stringValue else {
                    throw .unsupported(
                        "'\(path)': files must be sent inline as 'file_data'; file ids are not supported by this model."
                    )
                }
                guard let dataURL = DataURL(fileData), dataURL.mediaType == "application/pdf" else {
                    throw .unsupported(
                        "'\(path)': only PDF files sent as base64 data URLs are supported by this model."
                    )
                }
                let source = JSONObject([
                    "type": .string("base64"), "media_type": .string(dataURL.mediaType),
                    "data": .string(dataURL.base64Data),
                ])
                return .other(
                    type: "document",
                    .object(JSONObject(["type": .string("document"), "source": .object(source)]))
                )
            case "refusal":
                guard let text = json["refusal"]?.stringValue, !isBlank(text) else { return nil }
                return .text(text, extra: JSONObject())
            default:
                throw .unsupported("'\(path)': content of type '\(type)' is not supported by this model.")
            }
        }
    }

    private static func assistantBlocks(
        of message: OpenAIChatMessage,
        path: String
    ) throws(TranslationError) -> [AnthropicContentBlock] {
        var blocks: [AnthropicContentBlock] = []
        switch message.content {
        case nil: break
        case .text(let text): if !isBlank(text) { blocks.append(.text(text, extra: JSONObject())) }
        case .parts(let parts):
            for (index, part) in parts.enumerated() {
                switch part {
                case .text(let text, let extra):
                    if !isBlank(text) { blocks.append(.text(text, extra: cacheControl(of: extra))) }
                case .other("refusal", let json):
                    if let text = json["refusal"]?.stringValue, !isBlank(text) {
                        blocks.append(.text(text, extra: JSONObject()))
                    }
                case .imageURL, .other:
                    throw .unsupported("'\(path).content[\(index)]': assistant messages may only contain text.")
                }
            }
        }
        for call in message.toolCalls ?? [] {
            blocks.append(
                .toolUse(
                    id: anthropicToolID(call.id),
                    name: call.name,
                    input: toolInput(fromArguments: call.arguments),
                    extra: JSONObject()
                )
            )
        }
        return blocks
    }

    private static func toolResult(
        id: String,
        content: OpenAIMessageContent?,
        path: String
    ) throws(TranslationError) -> AnthropicContentBlock {
        var resultContent: AnthropicToolResultContent?
        switch content {
        case nil: break
        case .text(let text): if !text.isEmpty { resultContent = .text(text) }
        case .parts(let parts):
            var blocks: [AnthropicContentBlock] = []
            for (index, part) in parts.enumerated() {
                if let block = try block(for: part, path: "\(path).content[\(index)]") { blocks.append(block) }
            }
            if !blocks.isEmpty { resultContent = .blocks(blocks) }
        }
        return .toolResult(toolUseID: anthropicToolID(id), content: resultContent, isError: nil, extra: JSONObject())
    }

    /// A tool call's arguments (a JSON object serialised as text) as the object `tool_use`
    /// needs. Empty or invalid text (a model cut off mid-call) becomes `{}`: Anthropic only
    /// accepts an object, and refusing the whole conversation would be worse.
    static func toolInput(fromArguments arguments: String) -> JSONValue {
        guard let parsed = try? JSONValue(parsing: arguments), case .object = parsed else {
            return .object(JSONObject())
        }
        return parsed
    }

    /// `id` with every character outside `[A-Za-z0-9_-]` replaced by `_`, the pattern Anthropic
    /// enforces on tool ids (some OpenAI-compatible models produce ids like `functions.get:0`).
    /// Deterministic, so a call and its result still match.
    static func anthropicToolID(_ id: String) -> String {
        if id.isEmpty { return "toolu_empty" }
        let allowed = id.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        if allowed { return id }
        return String(
            id.unicodeScalars.map { scalar -> Character in
                let isAllowed =
                    ("0"..."9").contains(scalar) || ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)
                    || scalar == "_" || scalar == "-"
                return isAllowed ? Character(scalar) : "_"
            }
        )
    }

    // MARK: - Response

    /// An Anthropic message as a `chat.completion`: text blocks joined into `content` (Anthropic
    /// splits text around citations), `tool_use` blocks as `tool_calls` with the input serialised
    /// as the arguments string, `stop_reason` as `finish_reason`, usage with the cache counts
    /// folded into `prompt_tokens`. Thinking blocks have no place in OpenAI's shape and are left
    /// out.
    public static func translateResponse(
        _ body: [UInt8],
        context: ResponseTranslationContext
    ) throws(TranslationError) -> TranslatedResponse {
        let json: JSONValue
        do { json = try JSONValue(parsing: body) } catch { throw .invalidUpstream(error) }
        let message: AnthropicMessageResponse
        do { message = try AnthropicMessageResponse(json: json) } catch { throw .invalidUpstream(error) }

        var texts: [String] = []
        var toolCalls: [OpenAIToolCall] = []
        for block in message.content {
            switch block {
            case .text(let text, _): texts.append(text)
            case .toolUse(let id, let name, let input, _):
                toolCalls.append(OpenAIToolCall(id: id, name: name, arguments: input.serializedText))
            case .image, .toolResult, .thinking, .other: break
            }
        }
        let usage = TokenUsage(anthropic: message.usage)
        let completion = OpenAIChatCompletion(
            id: message.id,
            created: context.created,
            model: context.model ?? message.model,
            choices: [
                OpenAIChatCompletion.Choice(
                    index: 0,
                    message: OpenAIChatMessage(
                        role: "assistant",
                        content: texts.isEmpty ? nil : .text(texts.joined()),
                        contentIsExplicitNull: texts.isEmpty,
                        toolCalls: toolCalls.isEmpty ? nil : toolCalls
                    ),
                    finishReason: finishReason(forStopReason: message.stopReason)
                )
            ],
            usage: usage.openAIUsage
        )
        return TranslatedResponse(body: completion.json.serialized, usage: usage)
    }

    /// OpenAI's `finish_reason` for Anthropic's `stop_reason`.
    static func finishReason(forStopReason stopReason: String?) -> String {
        switch stopReason {
        case "max_tokens", "model_context_window_exceeded": "length"
        case "tool_use": "tool_calls"
        case "refusal": "content_filter"
        default: "stop"  // end_turn, stop_sequence, pause_turn
        }
    }

    // MARK: - Error

    /// An Anthropic error (status and body) in OpenAI's shape; see `ProviderErrorMapping`.
    public static func translateError(status: Int, body: [UInt8]) -> TranslatedError {
        let error = AnthropicErrorBody(body: body)
        let anthropicType = error?.type ?? ProviderErrorMapping.anthropicType(forStatus: status)
        let message = ProviderErrorMapping.clientMessage(status: status, upstreamMessage: error?.message)
        let mapped = ProviderErrorMapping.openAIError(anthropicType: anthropicType, status: status)
        return TranslatedError(
            status: mapped.status,
            body: ErrorBodies.body(in: .openAI, type: mapped.type, message: message, code: mapped.code)
        )
    }

    // MARK: - Stream

    public static func makeStreamTranslator(context: ResponseTranslationContext) -> StreamTranslator {
        StreamTranslator(context: context)
    }
}

/// Collects turns in order, merging consecutive turns of one role, as Anthropic requires.
private struct TurnBuilder {
    private var turns: [(role: String, blocks: [AnthropicContentBlock])] = []

    mutating func append(role: String, blocks: [AnthropicContentBlock]) {
        guard !blocks.isEmpty else { return }
        if let last = turns.indices.last, turns[last].role == role {
            turns[last].blocks.append(contentsOf: blocks)
        } else {
            turns.append((role, blocks))
        }
    }

    /// The messages: `tool_result` blocks first in each user turn (the API requires them to open
    /// the turn that answers a `tool_use`), a final assistant prefill without trailing whitespace,
    /// and a lone plain text block written as a string.
    mutating func finish() -> [AnthropicMessage] {
        if let last = turns.indices.last, turns[last].role == "assistant",
            case .text(let text, let extra) = turns[last].blocks[turns[last].blocks.count - 1]
        {
            let trimmed = String(text.trimmingWhitespaceAtEnd())
            if trimmed.isEmpty {
                turns[last].blocks.removeLast()
                if turns[last].blocks.isEmpty { turns.removeLast() }
            } else {
                turns[last].blocks[turns[last].blocks.count - 1] = .text(trimmed, extra: extra)
            }
        }
        return turns.map { turn in
            var blocks = turn.blocks
            if turn.role == "user" {
                let results = blocks.filter { if case .toolResult = $0 { true } else { false } }
                if !results.isEmpty {
                    blocks = results + blocks.filter { if case .toolResult = $0 { false } else { true } }
                }
            }
            if blocks.count == 1, case .text(let text, let extra) = blocks[0], extra.isEmpty {
                return AnthropicMessage(role: turn.role, content: .text(text))
            }
            return AnthropicMessage(role: turn.role, content: .blocks(blocks))
        }
    }
}

extension StringProtocol {
    func trimmingWhitespaceAtEnd() -> SubSequence {
        var end = endIndex
        while end > startIndex, self[index(before: end)].isWhitespace { end = index(before: end) }
        return self[startIndex..<end]
    }
}

extension AnthropicFromOpenAI {
    /// An Anthropic Messages stream translated, event by event, into OpenAI `chat.completion.chunk`
    /// lines for an OpenAI client.
    ///
    /// Events, in the order Anthropic sends them:
    /// - `message_start` → a first chunk with `role: "assistant"` and empty `content`; the input
    ///   and cache counts are noted.
    /// - `content_block_start`: a `tool_use` block → a `tool_calls` delta with the next tool index,
    ///   the id, `type: "function"`, the name and empty arguments; text blocks and blocks OpenAI
    ///   has no place for (thinking, server tools) → nothing.
    /// - `content_block_delta`: `text_delta` → a `content` delta; `input_json_delta` → an
    ///   `arguments` fragment for the open tool call; other deltas → nothing.
    /// - `message_delta` → an empty delta with `finish_reason`; output counts are noted
    ///   (cumulative, as are the input counts newer API versions repeat there).
    /// - `message_stop` → the usage chunk (empty `choices`) if the client asked for one with
    ///   `stream_options.include_usage`, then `data: [DONE]`.
    /// - `ping` and unknown event types → nothing.
    /// - `error` → `data: {"error":{…}}` in OpenAI's shape, then `data: [DONE]`.
    ///
    /// With `include_usage`, every chunk carries `"usage": null`, as OpenAI's do. A stream that
    /// ends without `message_stop` or sends an unreadable event ends with an error line and
    /// `[DONE]`, and the usage is marked incomplete.
    public struct StreamTranslator: ResponseStreamTranslator {
        private var parser = SSEParser()
        private let context: ResponseTranslationContext
        private var id: String
        private var model: String
        private var sentRole = false
        private var sentFinish = false
        /// The open `tool_use` block: its Anthropic block index and its OpenAI tool call index.
        private var openTool: (block: Int, call: Int)?
        private var nextToolCallIndex = 0
        private var anthropicUsage = AnthropicUsage()
        private var sawUsage = false
        /// `finish()` is reading the unfinished last event: unreadable data there means the
        /// stream was cut, not that the provider sent garbage.
        private var readingCutEvent = false
        public private(set) var outcome: StreamOutcome = .inProgress
        public private(set) var hasEmittedContent = false

        public init(context: ResponseTranslationContext) {
            self.context = context
            id = "chatcmpl-" + context.idSeed
            model = context.model ?? ""
        }

        public var usage: TokenUsage {
            TokenUsage(anthropic: anthropicUsage, isComplete: outcome == .completed && sawUsage)
        }

        public mutating func feed(_ chunk: [UInt8]) -> [UInt8] {
            guard !outcome.isFinished else { return [] }
            var output: [UInt8] = []
            do {
                for event in try parser.feed(chunk) {
                    handle(event, into: &output)
                    if outcome.isFinished { break }
                }
            } catch {
                fail(.eventTooLarge, into: &output)
            }
            return output
        }

        public mutating func finish() -> [UInt8] {
            guard !outcome.isFinished else { return [] }
            var output: [UInt8] = []
            let flush = parser.finish()
            readingCutEvent = flush.endedMidEvent
            for event in flush.events {
                handle(event, into: &output)
                if outcome.isFinished { break }
            }
            if !outcome.isFinished { fail(.truncated, into: &output) }
            return output
        }

        private mutating func handle(_ sse: SSEEvent, into output: inout [UInt8]) {
            let event: AnthropicStreamEvent
            do {
                event = try AnthropicStreamEvent(json: try JSONValue(parsing: sse.data))
            } catch let error as JSONScanError {
                return fail(.malformed("event data is not JSON: \(error)"), into: &output)
            } catch let error as WireDecodingError {
                return fail(.malformed(error.description), into: &output)
            } catch {
                return fail(.malformed("\(error)"), into: &output)
            }
            switch event {
            case .messageStart(let message):
                if !message.id.isEmpty { id = message.id }
                if context.model == nil { model = message.model }
                anthropicUsage = message.usage
                sawUsage = true
                sendRoleIfNeeded(into: &output)
            case .contentBlockStart(let index, let block):
                sendRoleIfNeeded(into: &output)
                openTool = nil
                switch block {
                case .text(let text, _):
                    if !text.isEmpty { send(OpenAIChatChunk.Delta(content: text), into: &output) }
                case .toolUse(let toolID, let name, let input, _):
                    let call = nextToolCallIndex
                    nextToolCallIndex += 1
                    openTool = (index, call)
                    // Anthropic streams the input as deltas and starts with `{}`; a proxy that
                    // sends it whole in the start event still gets it through.
                    let arguments = input.objectValue?.isEmpty == false ? input.serializedText : ""
                    let delta = OpenAIChatChunk.ToolCallDelta(
                        index: call,
                        id: toolID,
                        type: "function",
                        name: name,
                        arguments: arguments
                    )
                    send(OpenAIChatChunk.Delta(toolCalls: [delta]), into: &output)
                case .image, .toolResult, .thinking, .other:
                    break
                }
            case .contentBlockDelta(let index, let delta):
                switch delta {
                case .text(let text):
                    if !text.isEmpty { send(OpenAIChatChunk.Delta(content: text), into: &output) }
                case .inputJSON(let partial):
                    guard let tool = openTool, tool.block == index, !partial.isEmpty else { break }
                    let fragment = OpenAIChatChunk.ToolCallDelta(index: tool.call, arguments: partial)
                    send(OpenAIChatChunk.Delta(toolCalls: [fragment]), into: &output)
                case .thinking, .signature, .other:
                    break
                }
            case .contentBlockStop:
                openTool = nil
            case .messageDelta(let stopReason, _, let usage):
                if let usage { merge(usage) }
                sendRoleIfNeeded(into: &output)
                if !sentFinish {
                    sentFinish = true
                    sendFinish(AnthropicFromOpenAI.finishReason(forStopReason: stopReason), into: &output)
                }
            case .messageStop:
                sendRoleIfNeeded(into: &output)
                if !sentFinish {
                    sentFinish = true
                    sendFinish("stop", into: &output)
                }
                if context.includeUsage {
                    let chunk = OpenAIChatChunk(
                        id: id,
                        created: context.created,
                        model: model,
                        choices: [],
                        usage: TokenUsage(anthropic: anthropicUsage).openAIUsage
                    )
                    SSEWriter.appendEvent(writingJSON: chunk.write, to: &output)
                }
                SSEWriter.appendDone(to: &output)
                outcome = .completed
            case .ping, .unknown:
                break
            case .error(let error):
                fail(.upstreamError(type: error.type, message: error.message), into: &output)
            }
        }

        /// Cumulative counts from `message_delta` replace the ones from `message_start`.
        private mutating func merge(_ usage: AnthropicUsage) {
            sawUsage = true
            if let value = usage.inputTokens { anthropicUsage.inputTokens = value }
            if let value = usage.outputTokens { anthropicUsage.outputTokens = value }
            if let value = usage.cacheCreationInputTokens { anthropicUsage.cacheCreationInputTokens = value }
            if let value = usage.cacheReadInputTokens { anthropicUsage.cacheReadInputTokens = value }
        }

        private mutating func sendRoleIfNeeded(into output: inout [UInt8]) {
            guard !sentRole else { return }
            sentRole = true
            appendChunk(OpenAIChatChunk.Delta(role: "assistant", content: ""), finishReason: nil, to: &output)
        }

        private mutating func send(_ delta: OpenAIChatChunk.Delta, into output: inout [UInt8]) {
            hasEmittedContent = true
            appendChunk(delta, finishReason: nil, to: &output)
        }

        private func sendFinish(_ reason: String, into output: inout [UInt8]) {
            appendChunk(OpenAIChatChunk.Delta(), finishReason: reason, to: &output)
        }

        private func appendChunk(_ delta: OpenAIChatChunk.Delta, finishReason: String?, to output: inout [UInt8]) {
            let chunk = OpenAIChatChunk(
                id: id,
                created: context.created,
                model: model,
                choices: [OpenAIChatChunk.Choice(delta: delta, finishReason: finishReason)],
                usageIsExplicitNull: context.includeUsage
            )
            SSEWriter.appendEvent(writingJSON: chunk.write, to: &output)
        }

        /// Ends the client's stream with an error line in OpenAI's shape and `[DONE]`.
        private mutating func fail(_ failure: StreamFailure, into output: inout [UInt8]) {
            var failure = failure
            if readingCutEvent, case .malformed = failure { failure = .truncated }
            outcome = .failed(failure)
            let anthropicType: String
            switch failure {
            case .upstreamError(let type, _): anthropicType = type
            case .truncated, .malformed, .eventTooLarge: anthropicType = "api_error"
            }
            let mapped = ProviderErrorMapping.openAIError(anthropicType: anthropicType, status: 500)
            let body = ErrorBodies.body(
                in: .openAI,
                type: mapped.type,
                message: failure.clientMessage,
                code: mapped.code
            )
            SSEWriter.appendEvent(data: body, to: &output)
            SSEWriter.appendDone(to: &output)
        }
    }
}

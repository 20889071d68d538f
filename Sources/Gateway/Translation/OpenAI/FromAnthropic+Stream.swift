extension OpenAIFromAnthropic {
    /// An OpenAI `chat.completion.chunk` stream translated, chunk by chunk, into Anthropic
    /// Messages events for an Anthropic client.
    ///
    /// - The first chunk → `message_start` (the chunk's id and model, empty content, zero usage:
    ///   OpenAI reports usage only at the end).
    /// - `content` (and `refusal`) deltas → a text block: `content_block_start` when one is not
    ///   open, then `text_delta`s.
    /// - `tool_calls` deltas: a call with an `id` (or a new `index`) closes the open block and
    ///   starts a `tool_use` block with the id, the name and `input: {}`; `arguments` fragments →
    ///   `input_json_delta`s. Anthropic streams one block at a time, so fragments of a call whose
    ///   block was already closed (a provider interleaving parallel calls) cannot be placed and are
    ///   dropped; OpenAI and the compatible servers seen so far send calls one after another.
    /// - `finish_reason` → closes the open block; it becomes `stop_reason` in `message_delta`.
    /// - The usage chunk (asked for with `stream_options.include_usage` by the request
    ///   translation) → the usage in `message_delta`, input split into uncached and cache read.
    /// - `data: [DONE]` → `message_delta` and `message_stop`.
    /// - `data: {"error":{…}}` → an `error` event in Anthropic's shape.
    ///
    /// A body that ends after a `finish_reason` but without `[DONE]` is finished normally (some
    /// compatible servers omit it), with usage incomplete if the usage chunk never came. One that
    /// ends before any `finish_reason`, or sends an unreadable chunk, ends with an `error` event.
    public struct StreamTranslator: ResponseStreamTranslator {
        private enum OpenBlock {
            case none
            case text(index: Int)
            /// `id` is the call's id as the provider sent it, or the one the gateway made up.
            case tool(index: Int, call: Int, id: String)
        }

        private var parser = SSEParser()
        private let context: ResponseTranslationContext
        private var startedMessage = false
        private var openBlock = OpenBlock.none
        private var nextBlockIndex = 0
        /// Tool call indices whose blocks are closed; small (one per call), for spotting fragments
        /// that arrive too late.
        private var closedToolCalls: Set<Int> = []
        private var finishReason: String?
        private var openAIUsage: OpenAIUsage?
        /// `finish()` is reading the unfinished last event: unreadable data there means the
        /// stream was cut, not that the provider sent garbage.
        private var readingCutEvent = false
        public private(set) var outcome: StreamOutcome = .inProgress
        public private(set) var hasEmittedContent = false

        public init(context: ResponseTranslationContext) {
            self.context = context
        }

        public var usage: TokenUsage {
            guard let openAIUsage else { return .none }
            return TokenUsage(openAI: openAIUsage, isComplete: outcome == .completed)
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
            if !outcome.isFinished {
                if finishReason != nil {
                    complete(into: &output)
                } else {
                    fail(.truncated, into: &output)
                }
            }
            return output
        }

        private mutating func handle(_ event: SSEEvent, into output: inout [UInt8]) {
            if event.isDone {
                return complete(into: &output)
            }
            let json: JSONValue
            do { json = try JSONValue(parsing: event.data) } catch {
                return fail(.malformed("chunk is not JSON: \(error)"), into: &output)
            }
            if json["error"] != nil, let error = OpenAIErrorBody(json: json) {
                let type = ProviderErrorMapping.anthropicError(
                    openAIType: error.type,
                    code: error.codeText,
                    status: 500
                ).type
                return fail(.upstreamError(type: type, message: error.message), into: &output)
            }
            let chunk: OpenAIChatChunk
            do { chunk = try OpenAIChatChunk(json: json) } catch {
                return fail(.malformed(error.description), into: &output)
            }
            startMessageIfNeeded(id: chunk.id, model: chunk.model, into: &output)
            if let usage = chunk.usage { openAIUsage = usage }
            for choice in chunk.choices where choice.index == 0 {
                let delta = choice.delta
                if let text = delta.content, !text.isEmpty { sendText(text, into: &output) }
                if let refusal = delta.refusal, !refusal.isEmpty { sendText(refusal, into: &output) }
                for call in delta.toolCalls ?? [] { sendToolCall(call, into: &output) }
                if let reason = choice.finishReason {
                    finishReason = reason
                    closeBlock(into: &output)
                }
            }
        }

        private mutating func startMessageIfNeeded(id: String, model: String, into output: inout [UInt8]) {
            guard !startedMessage else { return }
            startedMessage = true
            let message = AnthropicMessageResponse(
                id: id.isEmpty ? "msg_" + context.idSeed : id,
                model: context.model ?? model,
                content: [],
                stopReason: nil,
                usage: AnthropicUsage(inputTokens: 0, outputTokens: 0)
            )
            append(.messageStart(message), to: &output)
        }

        private mutating func sendText(_ text: String, into output: inout [UInt8]) {
            let index: Int
            if case .text(let open) = openBlock {
                index = open
            } else {
                closeBlock(into: &output)
                index = nextBlockIndex
                nextBlockIndex += 1
                openBlock = .text(index: index)
                append(.contentBlockStart(index: index, block: .text("", extra: JSONObject())), to: &output)
            }
            hasEmittedContent = true
            append(.contentBlockDelta(index: index, delta: .text(text)), to: &output)
        }

        private mutating func sendToolCall(_ call: OpenAIChatChunk.ToolCallDelta, into output: inout [UInt8]) {
            let index: Int
            // Some servers repeat the id in every fragment, and some number every call 0 and tell
            // them apart by id: a fragment continues the open call when the index matches and the
            // id, if any, too.
            if case .tool(let open, let openCall, let openID) = openBlock, openCall == call.index,
                call.id == nil || call.id == openID
            {
                index = open
            } else if closedToolCalls.contains(call.index) && call.id == nil {
                return
            } else {
                closeBlock(into: &output)
                index = nextBlockIndex
                nextBlockIndex += 1
                let id = call.id ?? "toolu_\(context.idSeed)_\(call.index)"
                openBlock = .tool(index: index, call: call.index, id: id)
                let block = AnthropicContentBlock.toolUse(
                    id: id,
                    name: call.name ?? "",
                    input: .object(JSONObject()),
                    extra: JSONObject()
                )
                append(.contentBlockStart(index: index, block: block), to: &output)
                hasEmittedContent = true
            }
            if let arguments = call.arguments, !arguments.isEmpty {
                append(.contentBlockDelta(index: index, delta: .inputJSON(arguments)), to: &output)
            }
        }

        private mutating func closeBlock(into output: inout [UInt8]) {
            switch openBlock {
            case .none: return
            case .text(let index):
                append(.contentBlockStop(index: index), to: &output)
            case .tool(let index, let call, _):
                closedToolCalls.insert(call)
                append(.contentBlockStop(index: index), to: &output)
            }
            openBlock = .none
        }

        /// `message_delta` with the stop reason and usage, then `message_stop`.
        private mutating func complete(into output: inout [UInt8]) {
            startMessageIfNeeded(id: "", model: "", into: &output)
            closeBlock(into: &output)
            let usage = openAIUsage.map { TokenUsage(openAI: $0).anthropicUsage } ?? AnthropicUsage(outputTokens: 0)
            append(
                .messageDelta(
                    stopReason: OpenAIFromAnthropic.stopReason(forFinishReason: finishReason),
                    stopSequence: nil,
                    usage: usage
                ),
                to: &output
            )
            append(.messageStop, to: &output)
            outcome = .completed
        }

        private func append(_ event: AnthropicStreamEvent, to output: inout [UInt8]) {
            SSEWriter.appendEvent(name: event.name, writingJSON: event.write, to: &output)
        }

        /// Ends the client's stream with an Anthropic `error` event.
        private mutating func fail(_ failure: StreamFailure, into output: inout [UInt8]) {
            var failure = failure
            if readingCutEvent, case .malformed = failure { failure = .truncated }
            outcome = .failed(failure)
            let type: String
            switch failure {
            case .upstreamError(let upstreamType, _): type = upstreamType
            case .truncated, .malformed, .eventTooLarge: type = "api_error"
            }
            append(.error(AnthropicErrorBody(type: type, message: failure.clientMessage)), to: &output)
        }
    }
}

/// The tokens one request consumed, in one shape whatever the provider's API.
///
/// Counts follow OpenAI's convention, which is also the billing one: `inputTokens` is the whole
/// prompt, and `cachedInputTokens` (read from the provider's prompt cache) and
/// `cacheCreationInputTokens` (written to it) are parts of it; `reasoningTokens` is part of
/// `outputTokens`. Anthropic reports the three input parts separately; `init(anthropic:)` adds
/// them up. Prices differ per part, so `uncachedInputTokens` is what remains at the base rate.
///
/// `isComplete` is false when the response ended before the provider's final count (a cut or
/// failed stream, a stream without a usage chunk): the counts are what was seen so far, kept
/// rather than dropped, and the consumer (ledger, rate limits) knows they may be low.
public struct TokenUsage: Sendable, Hashable, CustomStringConvertible {
    public var inputTokens: Int
    public var outputTokens: Int
    public var cachedInputTokens: Int
    public var cacheCreationInputTokens: Int
    public var reasoningTokens: Int
    public var isComplete: Bool

    public init(
        inputTokens: Int = 0,
        outputTokens: Int = 0,
        cachedInputTokens: Int = 0,
        cacheCreationInputTokens: Int = 0,
        reasoningTokens: Int = 0,
        isComplete: Bool = true
    ) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.cacheCreationInputTokens = cacheCreationInputTokens
        self.reasoningTokens = reasoningTokens
        self.isComplete = isComplete
    }

    /// Nothing counted yet, and so not complete: the start of a stream.
    public static let none = TokenUsage(isComplete: false)

    public var totalTokens: Int { inputTokens + outputTokens }

    /// Prompt tokens neither read from nor written to the cache.
    public var uncachedInputTokens: Int {
        max(0, inputTokens - cachedInputTokens - cacheCreationInputTokens)
    }

    /// One line for logs and golden files.
    public var description: String {
        "input \(inputTokens) (cached \(cachedInputTokens), cache creation \(cacheCreationInputTokens)), "
            + "output \(outputTokens) (reasoning \(reasoningTokens)), "
            + (isComplete ? "complete" : "incomplete")
    }
}

extension TokenUsage {
    /// From OpenAI's `usage`: `prompt_tokens` is already the whole prompt.
    public init(openAI usage: OpenAIUsage, isComplete: Bool = true) {
        self.init(
            inputTokens: usage.promptTokens,
            outputTokens: usage.completionTokens,
            cachedInputTokens: usage.cachedTokens ?? 0,
            cacheCreationInputTokens: usage.cacheCreationTokens ?? 0,
            reasoningTokens: usage.reasoningTokens ?? 0,
            isComplete: isComplete
        )
    }

    /// From the Responses API's `usage`: `input_tokens` is already the whole prompt.
    public init(openAIResponses usage: OpenAIResponsesUsage, isComplete: Bool = true) {
        self.init(
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            cachedInputTokens: usage.cachedTokens ?? 0,
            reasoningTokens: usage.reasoningTokens ?? 0,
            isComplete: isComplete
        )
    }

    /// From Anthropic's `usage`: the prompt is input + cache read + cache creation.
    public init(anthropic usage: AnthropicUsage, isComplete: Bool = true) {
        let cached = usage.cacheReadInputTokens ?? 0
        let creation = usage.cacheCreationInputTokens ?? 0
        self.init(
            inputTokens: (usage.inputTokens ?? 0) + cached + creation,
            outputTokens: usage.outputTokens ?? 0,
            cachedInputTokens: cached,
            cacheCreationInputTokens: creation,
            reasoningTokens: 0,
            isComplete: isComplete
        )
    }

    /// In OpenAI's shape, for a client of the OpenAI API served by another provider.
    public var openAIUsage: OpenAIUsage {
        OpenAIUsage(
            promptTokens: inputTokens,
            completionTokens: outputTokens,
            cachedTokens: cachedInputTokens,
            reasoningTokens: reasoningTokens > 0 ? reasoningTokens : nil,
            cacheCreationTokens: cacheCreationInputTokens > 0 ? cacheCreationInputTokens : nil
        )
    }

    /// In Anthropic's shape, for a client of the Messages API served by another provider.
    public var anthropicUsage: AnthropicUsage {
        AnthropicUsage(
            inputTokens: uncachedInputTokens,
            outputTokens: outputTokens,
            cacheCreationInputTokens: cacheCreationInputTokens,
            cacheReadInputTokens: cachedInputTokens
        )
    }
}

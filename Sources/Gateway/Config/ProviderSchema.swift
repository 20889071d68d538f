/// The API dialect a provider speaks, which decides its paths, its credential header and its body shape.
///
/// `openai` covers OpenAI itself and every OpenAI-compatible API (Groq, OpenRouter, Gemini's OpenAI
/// endpoint, Cerebras, Hugging Face, Novita, Ollama, vLLM, z.ai, ...). The raw values are the
/// config file's spellings.
public enum ProviderSchema: String, Sendable, Hashable, CaseIterable {
    case openai
    /// Azure OpenAI: `/openai/deployments/{deployment}/...?api-version=...` and the `api-key` header.
    case azureOpenAI = "azure-openai"
    /// Anthropic's Messages API: `x-api-key` and `anthropic-version`.
    case anthropic
}

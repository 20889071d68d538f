/// Which API family a client speaks, which decides the shape of the errors it can read.
///
/// OpenAI's SDKs (and every OpenAI-compatible client) read `{"error":{"message","type","param","code"}}`;
/// Anthropic's read `{"type":"error","error":{"type","message"}}`.
public enum APIDialect: String, Sendable, Hashable {
    /// The raw values are what `tollgate.dialect` metadata says and Envoy's local replies match.
    case openAI = "openai"
    case anthropic = "anthropic"
}

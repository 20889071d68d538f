/// The client-facing API paths the gateway serves, known from the request's `:path`.
///
/// Each endpoint fixes the method it takes, the dialect errors are written in, and the path
/// suffix (after `/v1`) that the upstream path is built from.
public enum Endpoint: Sendable, Hashable, CaseIterable {
    /// `POST /v1/chat/completions`
    case chatCompletions
    /// `POST /v1/completions`
    case completions
    /// `POST /v1/embeddings`
    case embeddings
    /// `POST /v1/responses`
    case responses
    /// `GET /v1/models`, answered by the gateway itself.
    case models
    /// `POST /v1/messages`, Anthropic's Messages API.
    case messages

    /// The endpoint of a `:path` value; the query string (and a fragment, should one be sent) is
    /// ignored. Matching is exact: `/v1/chat/completions/` is not an endpoint.
    public init?(path: some Collection<UInt8>) {
        var end = path.startIndex
        while end != path.endIndex && path[end] != UInt8(ascii: "?") && path[end] != UInt8(ascii: "#") {
            path.formIndex(after: &end)
        }
        let route = path[path.startIndex..<end]
        guard let endpoint = Self.pathBytes.first(where: { route.elementsEqual($0.bytes) })?.endpoint else {
            return nil
        }
        self = endpoint
    }

    /// Every endpoint's path as bytes, built once: matching a request allocates nothing.
    private static let pathBytes = allCases.map { (endpoint: $0, bytes: Array($0.path.utf8)) }

    public init?(path: String) {
        self.init(path: path.utf8)
    }

    /// The path clients use.
    public var path: String {
        "/v1" + suffix
    }

    /// The path after the API version: what a provider's base path is followed by.
    public var suffix: String {
        switch self {
        case .chatCompletions: "/chat/completions"
        case .completions: "/completions"
        case .embeddings: "/embeddings"
        case .responses: "/responses"
        case .models: "/models"
        case .messages: "/messages"
        }
    }

    /// `/v1/messages` speaks Anthropic's dialect; every other endpoint OpenAI's.
    public var dialect: APIDialect {
        switch self {
        case .messages: .anthropic
        case .chatCompletions, .completions, .embeddings, .responses, .models: .openAI
        }
    }

    /// The one method the endpoint takes.
    public var method: String {
        switch self {
        case .models: "GET"
        case .chatCompletions, .completions, .embeddings, .responses, .messages: "POST"
        }
    }
}

/// How one request through the gateway ended, told once to the `RequestObserver`: who asked,
/// which backend answered after how many attempts, the status the client got, the tokens used,
/// and the timings. The ledger and the rate limiter read it; nothing here is sent to the client.
///
/// Every request the router phase saw produces exactly one completion, whether a provider
/// answered, Tollgate refused it (`rejection`), Envoy answered itself, or the exchange was cut off.
public struct RequestCompletion: Sendable, Hashable {
    /// The id the request's state was stored under; nil when it was refused before its body.
    public var requestID: RequestID?
    /// Envoy's `x-request-id` (the id its access log and traces use), when the request had one.
    public var envoyRequestID: String?
    /// The endpoint, known once the path was; nil for an unknown path.
    public var endpoint: Endpoint?
    /// The gateway key's name and tenant; nil when the key was missing or unknown.
    public var keyName: String?
    public var tenant: String?
    /// The model's public name, and the name (or alias) the client sent.
    public var model: String?
    public var clientModel: String?
    /// The request asked for a streamed response.
    public var stream: Bool
    /// The HTTP status the client got; nil when the exchange ended before the response started.
    public var status: Int?
    /// The backend that answered (the last attempt's), as `<model>/<index>`, its provider and the
    /// model name sent to it.
    public var backendID: String?
    public var provider: String?
    public var upstreamModel: String?
    /// Upstream attempts, retries included; 0 when no attempt was made.
    public var attempts: Int
    /// Tokens read from the provider's response; nil when it had none (an error, an unread
    /// endpoint). `isComplete` is false when the response was cut short.
    public var usage: TokenUsage?
    /// Why no provider's answer reached the client, when one did not: a `GatewayError.kind` or
    /// `TranslationError.kind` (Tollgate refused), or the reason Envoy answered itself
    /// (`upstream_unavailable`, `request_too_large`).
    public var rejection: String?
    /// How a streamed response ended; nil for other responses.
    public var streamOutcome: StreamOutcome?
    /// The exchange ended (a reset, the client gone) before the response was complete.
    public var interrupted: Bool
    /// From the request's headers reaching Tollgate to the first content (a streamed chunk with
    /// text or a tool call; a buffered body's arrival); nil when none came.
    public var timeToFirstToken: Duration?
    /// From the request's headers reaching Tollgate to the response's end (or the exchange's).
    public var duration: Duration

    public init(
        requestID: RequestID? = nil,
        envoyRequestID: String? = nil,
        endpoint: Endpoint? = nil,
        keyName: String? = nil,
        tenant: String? = nil,
        model: String? = nil,
        clientModel: String? = nil,
        stream: Bool = false,
        status: Int? = nil,
        backendID: String? = nil,
        provider: String? = nil,
        upstreamModel: String? = nil,
        attempts: Int = 0,
        usage: TokenUsage? = nil,
        rejection: String? = nil,
        streamOutcome: StreamOutcome? = nil,
        interrupted: Bool = false,
        timeToFirstToken: Duration? = nil,
        duration: Duration = .zero
    ) {
        self.requestID = requestID
        self.envoyRequestID = envoyRequestID
        self.endpoint = endpoint
        self.keyName = keyName
        self.tenant = tenant
        self.model = model
        self.clientModel = clientModel
        self.stream = stream
        self.status = status
        self.backendID = backendID
        self.provider = provider
        self.upstreamModel = upstreamModel
        self.attempts = attempts
        self.usage = usage
        self.rejection = rejection
        self.streamOutcome = streamOutcome
        self.interrupted = interrupted
        self.timeToFirstToken = timeToFirstToken
        self.duration = duration
    }
}

/// What the upstream phase did with one attempt, recorded in the request's state
/// (`RequestStore.recordAttempt`) so that the router phase, when the response arrives, knows which
/// backend answered, in which dialect, and whether the answer is the provider's or Tollgate's own.
///
/// Envoy runs the upstream phase once per attempt, retries included, and sends the router phase
/// only the last attempt's response, so the last record is the one that answered.
public struct UpstreamAttempt: Sendable, Hashable {
    /// The backend id from the host metadata (`<model>/<index>`); nil when the attempt carried none.
    public var backendID: String?
    /// The provider's name, once the backend was resolved.
    public var provider: String?
    /// The model name sent upstream.
    public var upstreamModel: String?
    /// The dialect of the provider's bodies; nil until the attempt was sent.
    public var dialect: APIDialect?
    /// An OpenAI client asked for the usage chunk of its stream itself
    /// (`TranslatedRequest.clientWantsStreamUsage`); the response side hides it otherwise.
    public var clientWantsStreamUsage: Bool
    /// The kind of the error the upstream phase answered with instead of sending the attempt
    /// (`GatewayError.kind`, `TranslationError.kind`); nil when the attempt went to the provider.
    public var rejection: String?

    public init(
        backendID: String?,
        provider: String? = nil,
        upstreamModel: String? = nil,
        dialect: APIDialect? = nil,
        clientWantsStreamUsage: Bool = false,
        rejection: String? = nil
    ) {
        self.backendID = backendID
        self.provider = provider
        self.upstreamModel = upstreamModel
        self.dialect = dialect
        self.clientWantsStreamUsage = clientWantsStreamUsage
        self.rejection = rejection
    }

    /// The attempt went to a provider, whose response the router phase reads.
    public var reachedProvider: Bool { rejection == nil && dialect != nil }
}

import ExtProc

/// Everything the upstream phase changes in one attempt: request line, authority, the provider's
/// credential and extra headers, the headers that must not leave the gateway, and the body with
/// `model` rewritten to the backend's upstream name.
public struct UpstreamRequest: Sendable, Hashable {
    /// The client's key headers and Tollgate's routing headers: never sent to a provider. The
    /// provider's own credential header is set, not removed. `accept-encoding` goes too: the
    /// gateway reads every response (usage, translation), so providers must answer uncompressed.
    public static let privateHeaders = [
        GatewayHeaders.model, GatewayHeaders.request, GatewayHeaders.route, "authorization", "x-api-key", "api-key",
        "accept-encoding",
    ]

    public var path: String
    public var authority: String
    /// Set with overwrite: the credential, version headers, then the provider's extra headers.
    public var headers: [HeaderField]
    /// Removed: `privateHeaders` and other providers' extra headers, minus any header in `headers`.
    public var removedHeaders: [String]
    public var body: [UInt8]

    public init(path: String, authority: String, headers: [HeaderField], removedHeaders: [String], body: [UInt8]) {
        self.path = path
        self.authority = authority
        self.headers = headers
        self.removedHeaders = removedHeaders
        self.body = body
    }

    /// The attempt to `backend` for a client's request to `endpoint`, sent to the provider's
    /// `upstreamEndpoint` (the other API's path when the body was translated) with `body` ready
    /// for it.
    ///
    /// `otherProviders`' extra headers are removed unless this provider sets them too: a retry
    /// arrives with whatever the previous attempt's provider was given, and one provider's
    /// headers (which may carry secrets) must not reach another.
    public init(
        backend: ResolvedBackend,
        endpoint: Endpoint,
        upstreamEndpoint: Endpoint,
        body: [UInt8],
        otherProviders: [ProviderConfig] = []
    ) throws(GatewayError) {
        let provider = backend.provider
        let upstreamModel = backend.backend.upstreamModel
        guard let path = provider.upstreamPath(for: upstreamEndpoint, upstreamModel: upstreamModel) else {
            throw .endpointNotSupported(model: backend.model.name, path: endpoint.path)
        }
        if provider.credential != nil && (backend.credential ?? "").isEmpty {
            throw .upstreamCredentialMissing(provider: provider.name)
        }
        var headers = provider.credentialHeaders(credential: backend.credential)
        for extra in provider.extraHeaders {
            headers.append(HeaderField(name: extra.name, value: extra.value))
        }
        var removed = Self.privateHeaders.filter { name in !headers.contains { $0.name == name } }
        for other in otherProviders where other.name != provider.name {
            for extra in other.extraHeaders
            where !removed.contains(extra.name) && !headers.contains(where: { $0.name == extra.name }) {
                removed.append(extra.name)
            }
        }
        self.init(
            path: path,
            authority: provider.baseURL.authority,
            headers: headers,
            removedHeaders: removed,
            body: body
        )
    }
}

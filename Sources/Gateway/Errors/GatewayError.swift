/// Everything the gateway refuses or fails to do for a request, one case per answer a client can
/// get. `GatewayError+Response.swift` maps each case to its status and to a body in the client's
/// dialect; that mapping is the only place messages are written, and they carry nothing but what
/// the client sent or may know.
public enum GatewayError: Error, Sendable, Hashable {
    /// No `authorization: Bearer …` and no `x-api-key`.
    case missingKey
    /// A key was presented and matches no configured gateway key.
    case invalidKey
    /// The model exists, but the key's `models` patterns do not allow it.
    case modelNotAllowed(String)
    /// No model or alias with this name.
    case modelNotFound(String)
    /// The body is not one valid JSON object; the reason is safe to show (see `JSONScanError`).
    case malformedBody(String)
    /// The body has no top-level `model`.
    case missingModel
    /// `model` is present but is not a string.
    case modelNotAString
    /// The body (or its announced content-length) exceeds `gateway.max_body_bytes`.
    case bodyTooLarge(limit: Int)
    /// A path the gateway does not serve.
    case unknownPath(String)
    /// A known path with the wrong method; `allowed` is the one it takes.
    case methodNotAllowed(method: String, allowed: String)
    /// The backend chosen for this attempt speaks a schema with no equivalent of the endpoint
    /// (for example `/v1/messages` on Azure OpenAI).
    case endpointNotSupported(model: String, path: String)
    /// The provider needs a credential and none could be read (missing file or variable).
    case upstreamCredentialMissing(provider: String)
    /// The upstream phase found no state for the request: it never passed the router phase of
    /// this process, or its state expired.
    case requestStateMissing
    /// The upstream phase could not tell which backend the attempt goes to (no host metadata, or
    /// an id the configuration does not have).
    case backendUnresolved(String)
}

extension GatewayError: CustomStringConvertible {
    /// For logs: may name internal things (providers, backend ids) that clients never see.
    public var description: String {
        switch self {
        case .missingKey: "missing gateway key"
        case .invalidKey: "unknown gateway key"
        case .modelNotAllowed(let model): "model \(model) not allowed for this key"
        case .modelNotFound(let model): "model \(model) not found"
        case .malformedBody(let reason): "malformed body: \(reason)"
        case .missingModel: "body has no model"
        case .modelNotAString: "model is not a string"
        case .bodyTooLarge(let limit): "body over \(limit) bytes"
        case .unknownPath(let path): "unknown path \(path)"
        case .methodNotAllowed(let method, let allowed): "method \(method) not allowed (\(allowed) only)"
        case .endpointNotSupported(let model, let path): "backend of \(model) cannot serve \(path)"
        case .upstreamCredentialMissing(let provider): "no credential available for provider \(provider)"
        case .requestStateMissing: "no request state for the upstream attempt"
        case .backendUnresolved(let detail): "backend unresolved: \(detail)"
        }
    }
}

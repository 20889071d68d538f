import ExtProc

/// The dynamic metadata Tollgate exchanges with Envoy, all in one namespace.
///
/// - `request`: set by the router phase's body reply to the request's id. Envoy keeps dynamic
///   metadata on the downstream stream, and upstream filters share it, so the upstream ext_proc
///   filter forwards it (`metadata_options.forwarding_namespaces.untyped: [tollgate]`) to every
///   attempt. Headers are no substitute on retries: upstream filters edit the request's one header
///   map in place, so an attempt sees what the previous attempt's reply did to it (observed with
///   Envoy 1.40), including the removal of `x-tollgate-request`. The router-level filter must
///   accept the namespace (`metadata_options.receiving_namespaces.untyped: [tollgate]`).
/// - `content_length`: set by the upstream phase's reply to the rewritten body's length (a
///   string), for the header-mutation filter that restores `content-length`.
public enum GatewayMetadata {
    public static let namespace = "tollgate"
    public static let requestKey = "request"
    public static let contentLengthKey = "content_length"

    /// `{"tollgate": {"request": "<id>"}}`.
    public static func request(_ id: RequestID) -> ProtoStruct {
        [namespace: [requestKey: .string(id.description)]]
    }

    /// The request id forwarded in a message's metadata context, if any.
    public static func requestID(in metadataContext: [String: ProtoStruct]) -> RequestID? {
        guard case .string(let text) = metadataContext[namespace]?[requestKey] else { return nil }
        return RequestID(header: Array(text.utf8))
    }
}

/// Header names the gateway itself defines.
public enum GatewayHeaders {
    /// Set by the router phase to the public model name; Envoy's routes match it exactly.
    public static let model = "x-tollgate-model"
    /// Set by the router phase to the request's id in the `RequestStore`; the upstream phase reads it.
    public static let request = "x-tollgate-request"
    /// Set on Envoy's own error replies by the rendered `local_reply_config`, to the reason
    /// (`upstream_unavailable`, `request_too_large`): tells the router phase the response is not
    /// a provider's. Removed before the client.
    public static let localReply = "x-tollgate-local-reply"
    /// Every header starting with this is Tollgate's: stripped from what clients send.
    public static let prefix = "x-tollgate-"
}

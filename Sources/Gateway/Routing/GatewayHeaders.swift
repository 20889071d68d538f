/// Header names the gateway itself defines.
public enum GatewayHeaders {
    /// Set by the router phase to the public model name; Envoy's routes match it exactly.
    public static let model = "x-tollgate-model"
    /// Set by the router phase to the request's id in the `RequestStore`; the upstream phase reads it.
    public static let request = "x-tollgate-request"
    /// Set by the router phase to `directRoute` on a request it prepared for its model's only
    /// backend itself: the model's direct route matches it and sends the request to a cluster
    /// without the upstream phase (one ext_proc stream saved). That route removes it, and
    /// `model`, before the provider.
    public static let route = "x-tollgate-route"
    public static let directRoute = "direct"
    /// Envoy's number of attempts on a response (the virtual host's
    /// `include_attempt_count_in_response`): how the router phase counts a direct request's
    /// retries, which no upstream phase sees. Removed before the client.
    public static let attemptCount = "x-envoy-attempt-count"
    /// Set on Envoy's own error replies by the rendered `local_reply_config`, to the reason
    /// (`upstream_unavailable`, `request_too_large`): tells the router phase the response is not
    /// a provider's. Removed before the client.
    public static let localReply = "x-tollgate-local-reply"
    /// Every header starting with this is Tollgate's: stripped from what clients send.
    public static let prefix = "x-tollgate-"
}

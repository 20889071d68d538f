/// Header names the gateway itself defines.
public enum GatewayHeaders {
    /// Set by the router phase to the public model name; Envoy's routes match it exactly.
    public static let model = "x-tollgate-model"
    /// Set by the router phase to the request's id in the `RequestStore`; the upstream phase reads it.
    public static let request = "x-tollgate-request"
    /// Every header starting with this is Tollgate's: stripped from what clients send.
    public static let prefix = "x-tollgate-"
}

/// What the limiter needs to know about a request to find the rules that apply to it: the
/// gateway key's name and tenant, and the model's public name (an alias already resolved).
public struct RateLimitSubject: Sendable, Hashable {
    public var keyName: String
    public var tenant: String
    public var model: String

    public init(keyName: String, tenant: String, model: String) {
        self.keyName = keyName
        self.tenant = tenant
        self.model = model
    }
}

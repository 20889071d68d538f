/// One extra header sent upstream to a provider, such as `openai-organization: org-123`.
/// The name is lowercased when the config is read (HTTP/2 header names are lowercase).
public struct ProviderHeader: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

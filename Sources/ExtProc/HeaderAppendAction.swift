/// What Envoy does when a header being set already exists
/// (`envoy.config.core.v3.HeaderValueOption.HeaderAppendAction`).
public enum HeaderAppendAction: Sendable, Hashable {
    /// Add another value when the header exists, else add it. The protocol's default.
    case appendIfExistsOrAdd
    /// Add the header only when it is absent.
    case addIfAbsent
    /// Replace every existing value, or add the header.
    case overwriteIfExistsOrAdd
    /// Replace every existing value; do nothing when the header is absent.
    case overwriteIfExists
}

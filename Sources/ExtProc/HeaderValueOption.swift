/// One header to set in a `HeaderMutation`.
public struct HeaderValueOption: Sendable, Hashable {
    public var header: HeaderField
    /// There is no default on purpose: the protocol's (append) surprises anyone who means "set".
    public var appendAction: HeaderAppendAction
    /// Envoy drops a header whose value is empty unless this is true.
    public var keepEmptyValue: Bool

    public init(_ header: HeaderField, appendAction: HeaderAppendAction, keepEmptyValue: Bool = false) {
        self.header = header
        self.appendAction = appendAction
        self.keepEmptyValue = keepEmptyValue
    }
}

/// Headers to set and headers to remove (`envoy.service.ext_proc.v3.HeaderMutation`).
///
/// Envoy ignores changes to `x-envoy-*`, `:method`, `:authority`, `:scheme` and `host` in
/// `setHeaders`, and to pseudo-headers and `host` in `removeHeaders`, unless the filter's
/// mutation rules allow them.
public struct HeaderMutation: Sendable, Hashable {
    public var setHeaders: [HeaderValueOption]
    public var removeHeaders: [String]

    public init(setHeaders: [HeaderValueOption] = [], removeHeaders: [String] = []) {
        self.setHeaders = setHeaders
        self.removeHeaders = removeHeaders
    }

    /// An empty mutation is left off the wire.
    public var isEmpty: Bool {
        setHeaders.isEmpty && removeHeaders.isEmpty
    }
}

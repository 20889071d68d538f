/// A counter store that keeps the settlements it could not apply (its server unreachable) and
/// applies them when asked, once the server is back.
public protocol UnsettledRetrying: AnyObject, Sendable {
    /// Applies the kept settlements that the server now takes; keeps the rest.
    func retryUnsettled()
}

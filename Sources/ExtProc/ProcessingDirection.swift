/// Which half of the HTTP exchange a message is about. Both halves follow the same
/// headers -> body -> trailers order, so the ordering rules are written once for a direction.
public enum ProcessingDirection: Sendable, Hashable {
    case request
    case response
}

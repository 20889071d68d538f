/// The type of a JSON value, as its first byte tells.
public enum JSONValueKind: Sendable, Hashable {
    case object
    case array
    case string
    case number
    case bool
    case null
}

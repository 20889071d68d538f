/// A model name or glob from a key's `models:` list: `*` matches any run of characters (also
/// none), `?` exactly one; every other character matches itself, case-sensitively.
///
/// Matching is by Unicode scalar and linear in practice: a `*` remembers where it was and only the
/// latest `*` is retried, the classic wildcard algorithm, so no pattern can make it exponential.
public struct ModelPattern: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let scalars: [Unicode.Scalar]

    public init(_ pattern: String) {
        self.pattern = pattern
        self.scalars = Array(pattern.unicodeScalars)
    }

    /// Whether the pattern has no `*` or `?`, so it names exactly one model.
    public var isLiteral: Bool {
        !scalars.contains { $0 == "*" || $0 == "?" }
    }

    public func matches(_ name: String) -> Bool {
        let text = Array(name.unicodeScalars)
        var p = 0
        var t = 0
        // Where the last `*` was, and the text position it is currently assumed to have consumed up to.
        var star: Int?
        var starText = 0
        while t < text.count {
            if p < scalars.count && (scalars[p] == "?" || (scalars[p] != "*" && scalars[p] == text[t])) {
                p += 1
                t += 1
            } else if p < scalars.count && scalars[p] == "*" {
                star = p
                starText = t
                p += 1
            } else if let star {
                // Let the last `*` swallow one more character and retry from there.
                p = star + 1
                starText += 1
                t = starText
            } else {
                return false
            }
        }
        while p < scalars.count && scalars[p] == "*" {
            p += 1
        }
        return p == scalars.count
    }

    public var description: String {
        pattern
    }

    public static func == (lhs: ModelPattern, rhs: ModelPattern) -> Bool {
        lhs.pattern == rhs.pattern
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pattern)
    }
}

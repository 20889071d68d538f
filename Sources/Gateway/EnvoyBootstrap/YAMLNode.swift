/// A YAML document as a tree, built by the Envoy renderer and turned into text by `yamlText()`.
///
/// The Gateway target has no YAML library (Yams lives in `TollgateServer`), and Envoy's bootstrap
/// needs only maps, lists and scalars, so a small emitter is enough. Map entries keep their order
/// (Envoy does not care, readers do) and may carry a comment, printed on the line above the key.
public indirect enum YAMLNode: Sendable, Hashable {
    case map([YAMLEntry])
    case list([YAMLNode])
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
}

/// One key of a `YAMLNode.map`.
public struct YAMLEntry: Sendable, Hashable {
    public var key: String
    public var value: YAMLNode
    /// Printed as `# comment` lines above the key; may hold several lines.
    public var comment: String?

    public init(_ key: String, _ value: YAMLNode, comment: String? = nil) {
        self.key = key
        self.value = value
        self.comment = comment
    }
}

extension YAMLNode: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    public init(integerLiteral value: Int) {
        self = .int(value)
    }

    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension YAMLNode: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: YAMLNode...) {
        self = .list(elements)
    }
}

extension YAMLNode: ExpressibleByDictionaryLiteral {
    /// `["a": 1, "b": 2]` keeps the literal's order.
    public init(dictionaryLiteral elements: (String, YAMLNode)...) {
        self = .map(elements.map { YAMLEntry($0.0, $0.1) })
    }
}

extension YAMLNode {
    /// The value under `key` when this is a map; for tests and for merging.
    public subscript(key: String) -> YAMLNode? {
        guard case .map(let entries) = self else {
            return nil
        }
        return entries.first { $0.key == key }?.value
    }

    /// This map with `entries` appended; any other node is returned unchanged.
    public func appending(_ entries: [YAMLEntry]) -> YAMLNode {
        guard case .map(let existing) = self else {
            return self
        }
        return .map(existing + entries)
    }
}

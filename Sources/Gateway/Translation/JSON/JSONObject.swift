/// A JSON object whose members stay in the order they were parsed or added.
///
/// Lookups are linear, which is faster than hashing for the handful of members request and
/// response objects have. A key that appears twice in a parsed document keeps both members (so
/// the object is written back as it came), and lookups see the last one, as JavaScript does.
public struct JSONObject: Sendable, Hashable, Sequence {
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public private(set) var members: [Member]

    public init() {
        members = []
    }

    public init(_ members: [Member]) {
        self.members = members
    }

    /// An object from key-value pairs in order, for building bodies in code.
    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        members = pairs.map { Member(key: $0.key, value: $0.value) }
    }

    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }

    public func makeIterator() -> IndexingIterator<[Member]> {
        members.makeIterator()
    }

    /// The last member named `key`. Setting replaces it in place (keeping its position) or
    /// appends a new member; setting nil removes every member named `key`.
    public subscript(key: String) -> JSONValue? {
        get {
            members.last(where: { $0.key == key })?.value
        }
        set {
            guard let newValue else {
                members.removeAll { $0.key == key }
                return
            }
            if let index = members.lastIndex(where: { $0.key == key }) {
                members[index].value = newValue
            } else {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Appends a member without looking for an existing one: for building objects whose keys
    /// the caller knows are new.
    public mutating func append(_ key: String, _ value: JSONValue) {
        members.append(Member(key: key, value: value))
    }

    /// Appends the member only when `value` is not nil.
    public mutating func append(_ key: String, ifPresent value: JSONValue?) {
        if let value { members.append(Member(key: key, value: value)) }
    }

    /// Appends every member of `other`, for passing unknown fields through after the known ones.
    public mutating func append(contentsOf other: JSONObject) {
        members.append(contentsOf: other.members)
    }

    public mutating func reserveCapacity(_ capacity: Int) {
        members.reserveCapacity(capacity)
    }
}

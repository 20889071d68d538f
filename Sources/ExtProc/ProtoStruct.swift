/// A `google.protobuf.Struct`: string keys to values, like a JSON object.
///
/// ext_proc uses it for request attributes, for metadata namespaces and for the dynamic
/// metadata a reply may attach. Key order carries no meaning.
public struct ProtoStruct: Sendable, Hashable {
    public var fields: [String: ProtoValue]

    public init(fields: [String: ProtoValue] = [:]) {
        self.fields = fields
    }

    public subscript(key: String) -> ProtoValue? {
        get { fields[key] }
        set { fields[key] = newValue }
    }
}

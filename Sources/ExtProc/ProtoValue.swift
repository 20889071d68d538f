/// A `google.protobuf.Value`: the JSON-like value Envoy uses for attributes and metadata.
///
/// Numbers are doubles because that is all `Value` can carry; integers above 2^53 lose precision
/// on the wire, not here.
public enum ProtoValue: Sendable, Hashable {
    case null
    case number(Double)
    case string(String)
    case bool(Bool)
    case structure(ProtoStruct)
    case list([ProtoValue])
}

import ExtProc

/// Reads which backend an upstream attempt goes to from the request attributes Envoy sends to the
/// upstream ext_proc filter (`request_attributes: ["xds.upstream_host_metadata"]`).
///
/// What Envoy 1.40 sends, observed on the wire and in its source
/// (`ext_proc/matching_utils.cc` `evaluateAttributes`, `common/expr/evaluator.cc` `print`): the
/// attributes map has one entry, `envoy.filters.http.ext_proc` (a constant, whatever the filter is
/// named), whose Struct maps each attribute expression to a value. CEL yields the host's
/// `envoy.config.core.v3.Metadata` as a message, and messages are sent as **strings** holding the
/// message's protobuf text format (`ShortDebugString`):
///
///     filter_metadata { key: "envoy.transport_socket_match" value { fields { key: "provider"
///     value { string_value: "openai" } } } } filter_metadata { key: "tollgate" value { fields {
///     key: "backend" value { string_value: "gpt-4o-mini/0" } } } }
///
/// A host without metadata gives the string `NULL`. Protobuf does not promise a stable spacing for
/// that format, so `ProtobufTextFormat` tokenizes it rather than matching substrings. A Struct
/// value (`filter_metadata` → `tollgate` → `backend`) is read as well, should a later Envoy send
/// one.
public enum UpstreamHostMetadata {
    /// The key Envoy groups request attributes under.
    public static let attributesKey = "envoy.filters.http.ext_proc"
    /// The attribute the upstream filter is configured to send.
    public static let attribute = "xds.upstream_host_metadata"
    /// The `filter_metadata` namespace and field Tollgate's clusters put the backend id in.
    public static let namespace = "tollgate"
    public static let backendField = "backend"

    /// Whether a stream's first message carries the host metadata attribute, which only the
    /// upstream filter is configured to send.
    public static func isPresent(in attributes: [String: ProtoStruct]) -> Bool {
        value(in: attributes) != nil
    }

    /// The backend id, or nil when the attribute is missing, `NULL`, or has no Tollgate backend.
    public static func backendID(in attributes: [String: ProtoStruct]) -> String? {
        switch value(in: attributes) {
        case .string(let text):
            return backendID(textFormat: text)
        case .structure(let metadata):
            guard case .structure(let filterMetadata) = metadata["filter_metadata"],
                case .structure(let tollgate) = filterMetadata[namespace],
                case .string(let id) = tollgate[backendField]
            else { return nil }
            return id
        case .null, .number, .bool, .list, nil:
            return nil
        }
    }

    /// The backend id in a `Metadata` message written in protobuf text format.
    public static func backendID(textFormat text: String) -> String? {
        guard let metadata = ProtobufTextFormat.parse(text) else { return nil }
        for filterMetadata in metadata.messages(named: "filter_metadata")
        where filterMetadata.string(named: "key") == namespace {
            // value: google.protobuf.Struct { fields { key: "backend" value { string_value: "…" } } }
            for structure in filterMetadata.messages(named: "value") {
                for field in structure.messages(named: "fields") where field.string(named: "key") == backendField {
                    return field.messages(named: "value").lazy.compactMap { $0.string(named: "string_value") }.first
                }
            }
        }
        return nil
    }

    private static func value(in attributes: [String: ProtoStruct]) -> ProtoValue? {
        if let value = attributes[attributesKey]?[attribute] { return value }
        // Not where Envoy 1.40 puts it; accepted under any group so a renamed key still works.
        return attributes.values.lazy.compactMap { $0[attribute] }.first
    }
}

/// Every name the rendered Envoy config and Tollgate's handlers must agree on, in one place.
///
/// The router-level phase sets `modelHeader`; Envoy's routes match it and pick the model's cluster;
/// the upstream phase reads `backendMetadataKey` from the chosen host's metadata (attribute
/// `hostMetadataAttribute`) and answers with `contentLengthMetadataKey` in `metadataNamespace`.
/// docs/architecture.md ("The gateway") explains each.
public enum EnvoyNames {
    /// Set by the router-level phase to the model's public name; routes match it exactly.
    public static let modelHeader = "x-tollgate-model"
    /// Set by the router-level phase to `directRoute` on a request it prepared for its model's only
    /// backend; the model's direct route matches it (and removes it).
    public static let routeHeader = "x-tollgate-route"
    public static let directRoute = "direct"
    /// Set by the router-level phase: the id under which the upstream phase finds the request's state.
    public static let requestHeader = "x-tollgate-request"
    /// The dynamic-metadata and endpoint-metadata namespace Tollgate owns.
    public static let metadataNamespace = "tollgate"
    /// Endpoint metadata `filter_metadata.tollgate.backend`: the backend id `<model>/<index>`.
    public static let backendMetadataKey = "backend"
    /// Dynamic metadata the router phase emits (the request's id) and the upstream filter forwards
    /// to every attempt.
    public static let requestMetadataKey = "request"
    /// Dynamic metadata the router phase emits for a direct request: the client's dialect
    /// (`openai`, `anthropic`), which Envoy's local replies follow once `:path` is the provider's.
    public static let dialectMetadataKey = "dialect"
    /// Dynamic metadata the upstream phase emits: the replaced body's length, as a string.
    public static let contentLengthMetadataKey = "content_length"
    /// The request attribute carrying the upstream host's metadata to the upstream phase.
    public static let hostMetadataAttribute = "xds.upstream_host_metadata"
    /// The key under which Envoy groups the attributes it sends (`ProcessingRequest.attributes`).
    public static let attributesKey = "envoy.filters.http.ext_proc"
    /// Endpoint metadata namespace Envoy consults for `transport_socket_matches`.
    public static let transportSocketMatchNamespace = "envoy.transport_socket_match"
    /// The key in `transportSocketMatchNamespace`: the provider's name.
    public static let transportSocketMatchKey = "provider"

    /// Tollgate's own cluster (ext_proc over gRPC).
    public static let tollgateCluster = "tollgate"
    /// The HTTP connection manager's route configuration (inline, or by RDS from a file).
    public static let routeConfigName = "tollgate_routes"
    /// The listener clients talk to.
    public static let listenerName = "tollgate_ingress"

    /// The cluster serving `model`: `tollgate_model_<name>`. Characters outside `[A-Za-z0-9_-]` become
    /// `_` and, when any had to change, a hash of the original name is appended, so two models never
    /// share a cluster and a name is the same in every render.
    public static func clusterName(model: String) -> String {
        let allowed = model.unicodeScalars.map { scalar -> Character in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_"
                    || scalar == "-")
                ? Character(scalar) : "_"
        }
        let sanitized = String(allowed)
        if sanitized == model && !model.isEmpty {
            return "tollgate_model_\(model)"
        }
        return "tollgate_model_\(sanitized)_\(fnv1a(model))"
    }

    /// The cluster serving `model`'s direct requests: `clusterName(model:)` with `tollgate_direct_` for
    /// its prefix, so it never collides with another model's cluster.
    public static func directClusterName(model: String) -> String {
        "tollgate_direct_" + clusterName(model: model).dropFirst("tollgate_model_".count)
    }

    /// The name of `model`'s direct route, for Envoy's logs and stats.
    public static func directRouteName(model: String) -> String {
        "direct:\(model)"
    }

    /// The route's name for `model`, for Envoy's logs and stats.
    public static func routeName(model: String) -> String {
        "model:\(model)"
    }

    /// FNV-1a (64-bit) of the UTF-8 bytes as 16 hex digits: stable across runs and platforms,
    /// unlike `Hasher`.
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// The model clusters and the routes as Envoy filesystem-xDS files, so that a config reload reaches
/// Envoy without a restart (docs/architecture.md, "Config, hot reload and the xDS files").
///
/// The bootstrap from `tollgate envoy-config --xds-dir DIR` points CDS at `DIR/clusters.yaml` and
/// RDS at `DIR/routes.yaml`; each file is a `DiscoveryResponse`. Envoy watches each path for a file
/// moved onto it, so the writer (`tollgate`'s `EnvoyXDSWriter`) writes a temporary file and renames
/// it over the old one, clusters before routes. This type only renders; it does no I/O.
public struct EnvoyXDSFiles: Sendable, Hashable {
    /// `clusters.yaml`: one `Cluster` per model.
    public var clusters: String
    /// `routes.yaml`: the `RouteConfiguration` named `EnvoyNames.routeConfigName`.
    public var routes: String

    public static let clustersFile = "clusters.yaml"
    public static let routesFile = "routes.yaml"

    public init(config: GatewayConfig, options: EnvoyClusterOptions = EnvoyClusterOptions()) throws(EnvoyBootstrapError)
    {
        let resources = try EnvoyResources(config: config, options: options)
        clusters = Self.discoveryResponse(type: EnvoyResources.clusterType, resources: resources.clusters)
        routes = Self.discoveryResponse(
            type: EnvoyResources.routeConfigurationType,
            resources: [resources.routeConfiguration]
        )
    }

    public static func clustersPath(in directory: String) -> String {
        join(directory, clustersFile)
    }

    public static func routesPath(in directory: String) -> String {
        join(directory, routesFile)
    }

    /// A `DiscoveryResponse` in YAML, as Envoy's filesystem subscription reads it. `version_info` is a
    /// hash of the resources, so it changes exactly when they do.
    static func discoveryResponse(type: String, resources: [YAMLNode]) -> String {
        let typed: [YAMLNode] = resources.map { resource in
            guard case .map(let entries) = resource else {
                return resource
            }
            return .map([YAMLEntry("@type", .string(type))] + entries)
        }
        let document: YAMLNode = .map([
            YAMLEntry("version_info", .string(EnvoyNames.fnv1a(YAMLNode.list(typed).yamlText()))),
            YAMLEntry("resources", .list(typed)),
        ])
        return document.yamlText(
            header:
                "Written by tollgate from its gateway config; Envoy reloads it when the file is replaced. Do not edit."
        )
    }

    private static func join(_ directory: String, _ file: String) -> String {
        directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }
}

/// What `tollgate envoy-config` needs beyond the gateway config: where Envoy listens, its admin port,
/// how it reaches Tollgate, and whether routes and clusters come from files (hot reload) or inline.
public struct EnvoyBootstrapOptions: Sendable, Hashable {
    /// Clients connect here (HTTP/1.1 and h2c).
    public var listenHost: String
    public var listenPort: Int
    /// Envoy's admin interface (stats, `/ready`); always on loopback unless told otherwise.
    public var adminHost: String
    public var adminPort: Int
    public var tollgate: EnvoyTollgateEndpoint
    /// When set, the listener's routes come by RDS from `<dir>/routes.yaml` and the model clusters by
    /// CDS from `<dir>/clusters.yaml`, which `tollgate serve --envoy-xds-dir` rewrites on every reload.
    /// When nil, everything is inline and a model change needs an Envoy restart.
    public var xdsDirectory: String?
    public var cluster: EnvoyClusterOptions
    /// Envoy's `node.id` and `node.cluster`.
    public var nodeName: String

    public init(
        listenHost: String = "127.0.0.1",
        listenPort: Int = 10000,
        adminHost: String = "127.0.0.1",
        adminPort: Int = 9901,
        tollgate: EnvoyTollgateEndpoint,
        xdsDirectory: String? = nil,
        cluster: EnvoyClusterOptions = EnvoyClusterOptions(),
        nodeName: String = "tollgate"
    ) {
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.adminHost = adminHost
        self.adminPort = adminPort
        self.tollgate = tollgate
        self.xdsDirectory = xdsDirectory
        self.cluster = cluster
        self.nodeName = nodeName
    }
}

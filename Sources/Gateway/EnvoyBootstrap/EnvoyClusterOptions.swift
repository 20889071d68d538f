/// Settings of the rendered model clusters and filters that are not in the gateway config file
/// (each model's timeouts, retries and outlier detection are: `ModelConfig`).
///
/// The same values must be used by `tollgate envoy-config` and by `tollgate serve --envoy-xds-dir`,
/// which re-renders the clusters on every reload; both take their defaults from here.
public struct EnvoyClusterOptions: Sendable, Hashable {
    /// CA bundle that verifies https providers' certificates (Debian's, by default).
    public var caFile: String
    /// How long Envoy waits for a TCP (and TLS) connection to a provider.
    public var connectTimeoutSeconds: Int
    /// How long each ext_proc filter waits for one reply from Tollgate.
    public var messageTimeoutMilliseconds: Int

    public static let defaultCAFile = "/etc/ssl/certs/ca-certificates.crt"

    public init(
        caFile: String = EnvoyClusterOptions.defaultCAFile,
        connectTimeoutSeconds: Int = 10,
        messageTimeoutMilliseconds: Int = 5000
    ) {
        self.caFile = caFile
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.messageTimeoutMilliseconds = messageTimeoutMilliseconds
    }
}

import H2Transport

extension ServerConfig {
    /// What `ServerRunner` binds and how it drains, taken from the `server:` section.
    public var endpoints: ServerRunner.Endpoints {
        ServerRunner.Endpoints(
            transport: H2Server.Configuration(
                listenAddresses: server.listenAddresses,
                threads: server.threads,
                maxMessageBytes: server.maxMessageBytes
            ),
            adminHost: server.admin.host,
            adminPort: server.admin.port,
            drainSeconds: server.drainSeconds
        )
    }
}

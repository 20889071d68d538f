import Logging

/// What the connections of one event loop share. Confined to that loop's thread.
final class H2ServerContext {
    let service: any GRPCService
    let health: HealthService
    let settings: H2Settings
    let maxMessageBytes: Int
    let metrics: TransportMetrics
    let logger: Logger
    private(set) var connections: [ObjectIdentifier: H2Connection] = [:]

    init(
        service: any GRPCService,
        health: HealthService,
        settings: H2Settings,
        maxMessageBytes: Int,
        metrics: TransportMetrics,
        logger: Logger
    ) {
        self.service = service
        self.health = health
        self.settings = settings
        self.maxMessageBytes = maxMessageBytes
        self.metrics = metrics
        self.logger = logger
    }

    func handler(for method: String) -> (any GRPCStreamHandler)? {
        method == HealthService.checkMethod ? health.makeStreamHandler() : service.makeStreamHandler(method: method)
    }

    func connectionOpened(_ connection: H2Connection) {
        connections[ObjectIdentifier(connection)] = connection
        metrics.connectionOpened()
    }

    func connectionClosed(_ connection: H2Connection) {
        if connections.removeValue(forKey: ObjectIdentifier(connection)) != nil {
            metrics.connectionClosed()
        }
    }
}

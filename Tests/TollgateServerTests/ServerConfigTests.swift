import H2Transport
import Testing

@testable import TollgateServer

@Suite struct ServerConfigTests {
    @Test func needsAtLeastOneListener() {
        #expect(
            throws: ConfigError(
                file: nil,
                line: nil,
                message: "no ext_proc listener: set server.listen or server.socket, or pass --listen or --socket"
            )
        ) { try ServerConfig().validate() }
        var socketOnly = ServerConfig()
        socketOnly.server.socket = "/tmp/t.sock"
        #expect(throws: Never.self) { try socketOnly.validate() }
    }

    @Test func listenAndAdminCannotShareAPort() {
        var config = ServerConfig()
        config.server.listen = config.server.admin
        #expect(throws: ConfigError.self) { try config.validate() }
        config.server.listen = HostPort(host: "127.0.0.1", port: 0)
        config.server.admin = HostPort(host: "127.0.0.1", port: 0)
        #expect(throws: Never.self) { try config.validate() }
    }

    @Test func endpointsCarryTheServerSection() {
        var config = ServerConfig()
        config.server.listen = HostPort(host: "::1", port: 50051)
        config.server.socket = "/tmp/t.sock"
        config.server.threads = 3
        config.server.maxMessageBytes = 1024
        config.server.drainSeconds = 1.5
        let endpoints = config.endpoints
        #expect(endpoints.transport.listenAddresses == [.tcp(host: "::1", port: 50051), .unix(path: "/tmp/t.sock")])
        #expect(endpoints.transport.threads == 3)
        #expect(endpoints.transport.maxMessageBytes == 1024)
        #expect(endpoints.adminHost == "127.0.0.1")
        #expect(endpoints.adminPort == 9190)
        #expect(endpoints.drainSeconds == 1.5)
    }

    @Test func hostPortFollowsTheTransportsParsing() {
        #expect(HostPort(parsing: "[::1]:80") == HostPort(host: "::1", port: 80))
        #expect(HostPort(parsing: "localhost:0") == HostPort(host: "localhost", port: 0))
        #expect(HostPort(parsing: "localhost:65536") == nil)
        #expect(HostPort(host: "::1", port: 80).description == "[::1]:80")
    }
}

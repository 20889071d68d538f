import H2Transport
import Logging
import Testing

@testable import TollgateServer

@Suite struct ConfigLoaderTests {
    private func parse(_ yaml: String) throws(ConfigError) -> ServerConfig {
        try ConfigLoader.parse(yaml: yaml, file: "tollgate.yaml")
    }

    /// The error `yaml` fails with; a test failure when it loads.
    private func failure(_ yaml: String) -> ConfigError? {
        do {
            _ = try parse(yaml)
            Issue.record("expected an error")
            return nil
        } catch {
            return error
        }
    }

    @Test func readsTheDocumentedExample() throws {
        let config = try parse(
            """
            server:
              listen: "127.0.0.1:50051"          # TCP host:port for ext_proc (h2c), optional
              socket: "/tmp/tollgate/ext_proc.sock"
              admin: "127.0.0.1:9190"
              threads: 0
              max_message_bytes: 67108864
              drain_seconds: 20
            log:
              level: info
            """
        )
        #expect(config.server.listen == HostPort(host: "127.0.0.1", port: 50051))
        #expect(config.server.socket == "/tmp/tollgate/ext_proc.sock")
        #expect(config.server.admin == HostPort(host: "127.0.0.1", port: 9190))
        #expect(config.server.threads == 0)
        #expect(config.server.maxMessageBytes == 67_108_864)
        #expect(config.server.drainSeconds == 20)
        #expect(config.log.level == .info)
        #expect(
            config.server.listenAddresses == [
                .tcp(host: "127.0.0.1", port: 50051), .unix(path: "/tmp/tollgate/ext_proc.sock"),
            ]
        )
        try config.validate()
    }

    @Test func absentKeysTakeTheDefaults() throws {
        let config = try parse(
            "server:\n  listen: ':50051'\n  threads: 4\n  drain_seconds: 0.5\nlog:\n  level: debug\n"
        )
        var expected = ServerConfig()
        expected.server.listen = HostPort(host: "0.0.0.0", port: 50051)
        expected.server.threads = 4
        expected.server.drainSeconds = 0.5
        expected.log.level = .debug
        #expect(config == expected)
        #expect(config.server.admin == HostPort(host: "127.0.0.1", port: 9190))
        #expect(config.server.maxMessageBytes == 64 * 1024 * 1024)
    }

    @Test func emptyDocumentsAndNullValuesMeanDefaults() throws {
        #expect(try parse("") == ServerConfig())
        #expect(try parse("# only a comment\n") == ServerConfig())
        #expect(try parse("server:\nlog: ~\n") == ServerConfig())
        #expect(try parse("server:\n  threads: null\n") == ServerConfig())
    }

    @Test(arguments: [
        (
            "server:\n  listen: 127.0.0.1:1\n  threads: four\n", 3,
            "server.threads: expected an integer in 0...1024, got 'four'"
        ),
        ("server:\n  threads: \"4\"\n", 2, "server.threads: expected an integer in 0...1024, got '4'"),
        ("server:\n  threads: -1\n", 2, "server.threads: expected an integer in 0...1024, got '-1'"),
        (
            "server:\n  max_message_bytes: 0\n", 2,
            "server.max_message_bytes: expected an integer in 1...4294967295, got '0'"
        ),
        ("server:\n  drain_seconds: soon\n", 2, "server.drain_seconds: expected a number in 0...3600, got 'soon'"),
        ("server:\n  listen: [a, b]\n", 2, "server.listen: expected host:port, got a list"),
        ("server:\n  listen: 50051\n", 2, "server.listen: expected host:port, got '50051'"),
        ("server:\n  admin: localhost\n", 2, "server.admin: expected host:port, got 'localhost'"),
        ("server:\n  socket: {path: x}\n", 2, "server.socket: expected a socket path of 1 to 107 bytes, got a mapping"),
        (
            "log:\n  level: loud\n", 2,
            "log.level: expected one of trace, debug, info, notice, warning, error, critical, got 'loud'"
        ),
        ("server: yes\n", 1, "server: expected a mapping of keys to values"),
        ("- server\n", 1, "the document: expected a mapping of keys to values"),
    ])
    func badValuesNameTheirLine(yaml: String, line: Int, message: String) {
        let error = failure(yaml)
        #expect(error == ConfigError(file: "tollgate.yaml", line: line, message: message))
    }

    @Test func unknownKeysAreErrorsWithTheirLine() {
        #expect(
            failure("server:\n  listen: ':1'\n  lisen: ':2'\n")
                == ConfigError(
                    file: "tollgate.yaml",
                    line: 3,
                    message:
                        "unknown key 'server.lisen'; expected one of: listen, socket, socket_mode, admin, threads, max_message_bytes, drain_seconds"
                )
        )
        #expect(
            failure("log:\n  level: info\nprovders:\n  - openai\n")
                == ConfigError(
                    file: "tollgate.yaml",
                    line: 3,
                    message: "unknown key 'provders'; expected one of: server, log, providers, models, keys, gateway, storage, ledger, prices, limits"
                )
        )
    }

    @Test func yamlSyntaxErrorsAndDuplicatesNameTheirLine() {
        let syntax = failure("server:\n  listen: \"unterminated\n")
        #expect(syntax?.line != nil)
        #expect(syntax?.message.hasPrefix("invalid YAML: ") == true)
        let duplicate = failure("server:\n  threads: 1\n  threads: 2\n")
        #expect(duplicate?.message == "duplicate key 'threads'")
        #expect(duplicate?.line != nil)
    }

    @Test func theDescriptionReadsLikeADiagnostic() {
        #expect(ConfigError(file: "a.yaml", line: 3, message: "m").description == "a.yaml:3: m")
        #expect(ConfigError(file: "a.yaml", line: nil, message: "m").description == "a.yaml: m")
        #expect(ConfigError(file: nil, line: nil, message: "m").description == "m")
    }

    @Test func aMissingFileIsAnError() {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(file: "/nonexistent/tollgate.yaml") }
    }
}

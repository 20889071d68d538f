import ArgumentParser
import Foundation
import H2Transport
import Logging
import Testing

@testable import TollgateServer

@Suite struct ServerOptionsTests {
    /// Writes `yaml` to a fresh temporary file and returns its path.
    private func configFile(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-\(UUID().uuidString).yaml")
            .path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func flagsOverrideTheFile() throws {
        let path = try configFile("server:\n  listen: '127.0.0.1:50051'\n  threads: 2\nlog:\n  level: info\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let options = try ServerOptions.parse([
            "--config", path, "--listen", "127.0.0.1:0", "--socket", "/tmp/p.sock", "--admin", "127.0.0.1:0",
            "--threads", "1", "--max-message-bytes", "4096", "--drain-seconds", "0.25", "--log-level", "debug",
            "--log-requests", "false",
        ])
        let config = try options.makeConfig()
        #expect(config.server.listen == HostPort(host: "127.0.0.1", port: 0))
        #expect(config.server.socket == "/tmp/p.sock")
        #expect(config.server.admin == HostPort(host: "127.0.0.1", port: 0))
        #expect(config.server.threads == 1)
        #expect(config.server.maxMessageBytes == 4096)
        #expect(config.server.drainSeconds == 0.25)
        #expect(config.log.level == .debug)
        #expect(!config.log.requests)
    }

    @Test func theFileStandsWhereNoFlagIsGiven() throws {
        let path = try configFile("server:\n  listen: '127.0.0.1:50051'\n  threads: 2\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try ServerOptions.parse(["--config", path, "--log-level", "error"]).makeConfig()
        #expect(config.server.listen == HostPort(host: "127.0.0.1", port: 50051))
        #expect(config.server.threads == 2)
        #expect(config.log.level == .error)
    }

    @Test func anEmptyListenDropsTheFilesButOneListenerMustRemain() throws {
        let path = try configFile("server:\n  listen: '127.0.0.1:50051'\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let socketOnly = try ServerOptions.parse(["--config", path, "--listen", "", "--socket", "/tmp/p.sock"])
        #expect(try socketOnly.makeConfig().server.listenAddresses == [.unix(path: "/tmp/p.sock")])
        #expect(throws: ConfigError.self) { try ServerOptions.parse(["--config", path, "--listen", ""]).makeConfig() }
    }

    /// The mode reaches the socket's listen address; without it the umask decides.
    @Test func socketModeGoesWithTheSocket() throws {
        let fromFlag = try ServerOptions.parse(["--socket", "/tmp/p.sock", "--socket-mode", "660"]).makeConfig()
        #expect(fromFlag.server.listenAddresses == [.unix(path: "/tmp/p.sock", mode: 0o660)])
        let path = try configFile("server:\n  socket: /tmp/p.sock\n  socket_mode: \"0600\"\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ServerOptions.parse(["--config", path]).makeConfig().server.socketMode == 0o600)
        #expect(ServerSection.socketMode("0660") == 0o660)
        for bad in ["rw", "66", "04660", "0800", "06600", ""] {
            #expect(ServerSection.socketMode(bad) == nil, "\(bad)")
        }
    }

    @Test func noFileMeansDefaultsPlusFlags() throws {
        let config = try ServerOptions.parse(["--socket", "/tmp/p.sock"]).makeConfig()
        var expected = ServerConfig()
        expected.server.socket = "/tmp/p.sock"
        #expect(config == expected)
        #expect(throws: ConfigError.self) { try ServerOptions.parse([]).makeConfig() }
    }

    @Test(arguments: [
        (["--listen", "nowhere"], "--listen: expected host:port, got 'nowhere'"),
        (["--threads", "5000"], "--threads: expected an integer in 0...1024, got '5000'"),
        (["--drain-seconds=-1"], "--drain-seconds: expected a number in 0...3600, got '-1.0'"),
        (
            ["--log-level", "loud"],
            "--log-level: expected one of trace, debug, info, notice, warning, error, critical, got 'loud'"
        ),
        (["--log-requests", "yes"], "--log-requests: expected true or false, got 'yes'"),
        (["--socket-mode", "0999"], "--socket-mode: expected \(ServerSection.socketModeExpected), got '0999'"),
    ])
    func badFlagValuesAreRejected(arguments: [String], message: String) throws {
        let options = try ServerOptions.parse(["--socket", "/tmp/p.sock"] + arguments)
        #expect(throws: ConfigError(file: nil, line: nil, message: message)) { try options.makeConfig() }
    }

    @Test func fileErrorsNameTheFileAndLine() throws {
        let path = try configFile("server:\n  socket: /tmp/p.sock\n  thread: 2\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try ServerOptions.parse(["--config", path]).makeConfig()
        } throws: { error in
            (error as? ConfigError)?.file == path && (error as? ConfigError)?.line == 3
        }
    }
}

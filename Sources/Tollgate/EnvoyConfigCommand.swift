import ArgumentParser
import Foundation
import Gateway
import TollgateServer

/// `tollgate envoy-config --config FILE`: prints the Envoy bootstrap for a Tollgate config, so nobody
/// writes the Envoy side by hand (docs/architecture.md, "Envoy's side").
///
/// Envoy reaches Tollgate at `server.socket` when it is set, else at `server.listen`.
/// With `--xds-dir DIR` the routes and model clusters live in `DIR` (written now, and rewritten by
/// `tollgate serve --envoy-xds-dir DIR` on every reload); without it they are inline.
struct EnvoyConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "envoy-config",
        abstract: "Print the Envoy bootstrap for a Tollgate config.",
        discussion: """
            Validate the result with: envoy --mode validate -c FILE
            With --xds-dir, start `tollgate serve --envoy-xds-dir` with the same directory so that \
            config reloads (new models, providers, weights) reach Envoy without a restart.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The Tollgate config file (YAML).", valueName: "file"))
    var config: String

    @Option(name: .long, help: ArgumentHelp("Where Envoy listens for clients.", valueName: "host:port"))
    var listen: String = "127.0.0.1:10000"

    @Option(name: .long, help: ArgumentHelp("Envoy's admin port, on 127.0.0.1.", valueName: "port"))
    var adminPort: Int = 9901

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Keep routes and model clusters in this directory (filesystem xDS) for hot reload; the files are written now.",
            valueName: "dir"
        )
    )
    var xdsDir: String?

    @Option(name: .long, help: ArgumentHelp("CA bundle for https providers.", valueName: "file"))
    var caFile: String = EnvoyClusterOptions.defaultCAFile

    @Option(name: .long, help: ArgumentHelp("Write the bootstrap here instead of stdout.", valueName: "file"))
    var output: String?

    func validate() throws {
        guard let (host, _) = parseHostPort(listen) else {
            throw ValidationError("--listen: expected host:port, such as 127.0.0.1:10000")
        }
        // Envoy binds listeners to addresses only.
        guard host == "localhost" || EnvoyResources.isIPAddress(host) else {
            throw ValidationError("--listen: expected an IP address (or localhost), such as 0.0.0.0:10000")
        }
        guard (1...65535).contains(adminPort) else {
            throw ValidationError("--admin-port: expected a port from 1 to 65535")
        }
    }

    func run() throws {
        let serverConfig: ServerConfig
        do {
            serverConfig = try ConfigLoader.load(file: config)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        let tollgate: EnvoyTollgateEndpoint
        if let socket = serverConfig.server.socket {
            tollgate = .unixSocket(path: socket)
        } else if let listen = serverConfig.server.listen {
            tollgate = .tcp(host: listen.host, port: listen.port)
        } else {
            FileHandle.standardError.write(
                Data("\(config): Envoy needs to reach Tollgate: set server.socket or server.listen\n".utf8)
            )
            throw ExitCode(1)
        }
        var (listenHost, listenPort) = parseHostPort(listen)!
        if listenHost == "localhost" {
            listenHost = "127.0.0.1"
        }
        let clusterOptions = EnvoyClusterOptions(caFile: caFile)
        let options = EnvoyBootstrapOptions(
            listenHost: listenHost,
            listenPort: listenPort,
            adminPort: adminPort,
            tollgate: tollgate,
            xdsDirectory: xdsDir.map(absolutePath),
            cluster: clusterOptions
        )
        let gateway = serverConfig.gatewayConfig
        let text = try EnvoyBootstrapRenderer.render(config: gateway, options: options)
        if let directory = options.xdsDirectory {
            try EnvoyXDSWriter(directory: directory, options: clusterOptions).write(gateway)
        }
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        } else {
            print(text, terminator: "")
        }
    }

    /// Envoy resolves relative paths against its own working directory, so the bootstrap names
    /// the xDS directory absolutely.
    private func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// `host:port`, `[v6]:port`; nil when malformed.
    private func parseHostPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        return host.isEmpty ? nil : (host, port)
    }
}

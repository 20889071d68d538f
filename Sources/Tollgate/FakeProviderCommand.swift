import ArgumentParser
import FakeProvider
import Foundation

/// `tollgate fake-provider --listen 127.0.0.1:PORT`: a built-in fake OpenAI-compatible API, so the
/// quick start (and anyone trying Tollgate) has a provider without any key. It answers chat
/// completions (also streamed), completions, embeddings and the model list with OpenAI-shaped JSON
/// and usage, echoing the requested model. Runs until killed.
struct FakeProviderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-provider",
        abstract: "Run a fake OpenAI-compatible provider (for the quick start and tests).",
        discussion: """
            Serves POST /v1/chat/completions, /v1/completions, /v1/embeddings and GET /v1/models \
            (also under /openai/deployments/{deployment}/ as Azure OpenAI does). Point a provider's \
            base_url at http://HOST:PORT/v1.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Where to listen.", valueName: "host:port"))
    var listen: String = "127.0.0.1:18081"

    @Option(name: .long, help: ArgumentHelp("A model GET /v1/models lists (repeatable).", valueName: "name"))
    var model: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Require this key (Authorization: Bearer, api-key or x-api-key); 401 otherwise.",
            valueName: "key"
        )
    )
    var apiKey: String?

    func run() throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ValidationError("--listen: expected host:port, such as 127.0.0.1:18081")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        let responder = FakeProviderResponder(models: model.isEmpty ? ["fake-model"] : model, apiKey: apiKey)
        let server = try FakeProviderServer(host: host.isEmpty ? "127.0.0.1" : host, port: port, responder: responder)
        let shown = server.host.contains(":") ? "[\(server.host)]" : server.host
        // Written unbuffered, so a script waiting for this line sees it at once.
        FileHandle.standardOutput.write(Data("fake-provider: listening on http://\(shown):\(server.port)/v1\n".utf8))
        server.run()
    }
}

import ArgumentParser
import Gateway
import TollgateServer

/// `tollgate key new`: a fresh gateway key and the lines to paste under `keys:`.
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Gateway keys.",
        subcommands: [New.self]
    )

    /// Prints the key on the first line (for scripts: `tollgate key new | head -1`), then the
    /// config entry holding only its SHA-256. The key is not stored anywhere: this is the only time
    /// it is shown.
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new",
            abstract: "Print a fresh gateway key and the config lines (with its SHA-256) to paste under keys:."
        )

        @Option(help: "The key's name, unique in the config; appears in logs and usage.")
        var name = "new-key"

        @Option(help: "The tenant the key belongs to.")
        var tenant = GatewayKeyConfig.defaultTenant

        @Option(help: "Comma-separated model names, aliases or globs the key may use.")
        var models = "*"

        var patterns: [String] {
            models.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        }

        func validate() throws {
            guard KeysSection.isValidName(name) else {
                throw ValidationError("--name: expected a name of 1 to 256 characters without spaces")
            }
            guard KeysSection.isValidName(tenant) else {
                throw ValidationError("--tenant: expected a name of 1 to 256 characters without spaces")
            }
            guard !patterns.isEmpty else {
                throw ValidationError("--models: expected at least one model name or glob")
            }
        }

        func run() {
            let key = GatewayKeyGenerator.generate()
            print(key)
            print("# Paste under keys: in the config file. Only the SHA-256 is stored; the key is not shown again.")
            print(
                KeysSection.entry(
                    name: name,
                    tenant: tenant,
                    sha256: GatewayKeyDigest.sha256(key),
                    models: patterns
                ),
                terminator: ""
            )
        }
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

import Gateway

/// `tollgate check`: everything `tollgate serve` would refuse in a config file, or a summary of it.
///
/// Checks what serving checks, in the same order: the file (every error, by line), then the flags
/// and cross-key rules (`ServerConfig.validate()`), then the credentials. So a passing check means
/// `serve` with the same flags starts. The summary names credential sources, never their values.
public enum ConfigCheck {
    public struct Report: Sendable, Equatable {
        /// Whether serving would start.
        public var ok: Bool
        /// `ok` and the summary, or one `file:line: message` per error.
        public var lines: [String]
    }

    public static func run(options: ServerOptions, environment: [String: String]) -> Report {
        guard let file = options.configFile else {
            return Report(ok: false, lines: ["no config file: pass --config FILE"])
        }
        let diagnosis = ConfigLoader.diagnose(file: file)
        if !diagnosis.errors.isEmpty {
            return Report(ok: false, lines: diagnosis.errors.map(\.description))
        }
        let config: ServerConfig
        do {
            config = try options.makeConfig()
        } catch {
            return Report(ok: false, lines: [error.description])
        }
        let credentials = config.loadCredentials(file: file, environment: environment)
        if !credentials.errors.isEmpty {
            return Report(ok: false, lines: credentials.errors.map(\.description))
        }
        return Report(ok: true, lines: ["ok"] + summary(config))
    }

    /// A few lines per section: what the gateway will serve.
    public static func summary(_ config: ServerConfig) -> [String] {
        let gateway = config.gatewayConfig
        var lines: [String] = []
        lines.append("providers: \(gateway.providers.count)")
        for provider in gateway.providers {
            let credential = provider.credential.map { "credential \($0)" } ?? "no credential"
            lines.append("  \(provider.name): \(provider.schema.rawValue) \(provider.baseURL), \(credential)")
        }
        lines.append("models: \(gateway.models.count)")
        for model in gateway.models {
            let aliases = model.aliases.isEmpty ? "" : " (aliases: \(model.aliases.joined(separator: ", ")))"
            let backends = model.backends.map { backend in
                "\(backend.provider)/\(backend.upstreamModel) weight \(backend.weight) priority \(backend.priority)"
            }
            lines.append("  \(model.name)\(aliases) -> \(backends.joined(separator: "; "))")
        }
        lines.append("keys: \(gateway.keys.count)")
        for key in gateway.keys {
            let patterns = key.models.map(\.pattern).joined(separator: ", ")
            lines.append("  \(key.name): tenant \(key.tenant), models \(patterns)")
        }
        return lines
    }
}

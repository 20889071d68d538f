import Foundation
import Gateway

/// The provider secrets read for one config, and what could not be read.
///
/// Messages name the provider, the source and the reason, never the secret.
public struct CredentialLoad: Sendable {
    /// Secret values by provider name.
    public var credentials: [String: String]
    /// Credentials that could not be read and have no previous value: the config cannot be used.
    public var errors: [ConfigError]
    /// Credentials that could not be read on reload, for which the previous value was kept.
    public var kept: [ConfigError]

    /// A secret file larger than this is refused rather than read (keys are far shorter).
    static let maxFileBytes = 64 * 1024

    public init(credentials: [String: String] = [:], errors: [ConfigError] = [], kept: [ConfigError] = []) {
        self.credentials = credentials
        self.errors = errors
        self.kept = kept
    }
}

extension ServerConfig {
    /// Reads every provider's credential: files are read and trimmed of surrounding whitespace,
    /// environment variables looked up in `environment`. When a read fails and `previous` holds a
    /// value for the same provider from the same source, that value is kept (reload); otherwise the
    /// failure is an error (startup). `file` names the config file in errors.
    public func loadCredentials(
        file: String?,
        environment: [String: String],
        previous: GatewaySnapshot? = nil
    ) -> CredentialLoad {
        var load = CredentialLoad()
        for provider in providers.providers {
            guard let source = provider.credential else {
                continue
            }
            switch Self.readCredential(source, environment: environment) {
            case .success(let secret):
                load.credentials[provider.name] = secret
            case .failure(let reason):
                let message = "provider '\(provider.name)': credential \(source): \(reason.message)"
                let line = providers.credentialLines[provider.name]
                if let previous, previous.provider(named: provider.name)?.credential == source,
                    let old = previous.credential(forProvider: provider.name)
                {
                    load.credentials[provider.name] = old
                    load.kept.append(
                        ConfigError(file: file, line: line, message: message + "; keeping the previous value")
                    )
                } else {
                    load.errors.append(ConfigError(file: file, line: line, message: message))
                }
            }
        }
        return load
    }

    /// Reads the credentials and compiles the gateway's snapshot, as `tollgate serve` does at startup.
    /// Throws the first credential error.
    public func makeGatewaySnapshot(
        file: String?,
        environment: [String: String]
    ) throws(ConfigError)
        -> GatewaySnapshot
    {
        let load = loadCredentials(file: file, environment: environment)
        if let first = load.errors.first {
            throw first
        }
        return GatewaySnapshot(config: gatewayConfig, credentials: load.credentials)
    }

    struct CredentialProblem: Error {
        var message: String
    }

    static func readCredential(
        _ source: CredentialSource,
        environment: [String: String]
    ) -> Result<String, CredentialProblem> {
        let raw: String
        switch source {
        case .environment(let name):
            guard let value = environment[name] else {
                return .failure(CredentialProblem(message: "the variable is not set"))
            }
            raw = value
        case .file(let path):
            let identity = FileIdentity.of(path)
            if let problem = identity.problem {
                return .failure(CredentialProblem(message: "cannot read the file: \(problem)"))
            }
            if case .present(_, _, let size, _, _) = identity, size > CredentialLoad.maxFileBytes {
                return .failure(
                    CredentialProblem(message: "the file is larger than \(CredentialLoad.maxFileBytes) bytes")
                )
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                return .failure(CredentialProblem(message: "cannot read the file"))
            }
            guard let text = String(data: data, encoding: .utf8) else {
                return .failure(CredentialProblem(message: "the file is not UTF-8 text"))
            }
            raw = text
        }
        let secret = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if secret.isEmpty {
            return .failure(CredentialProblem(message: "it is empty"))
        }
        // It goes into a header: a line break or control character would corrupt the request.
        if secret.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return .failure(CredentialProblem(message: "it contains line breaks or control characters"))
        }
        return .success(secret)
    }
}

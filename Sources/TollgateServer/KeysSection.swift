import Gateway

/// The `keys:` section: the gateway keys clients present, stored only as SHA-256 digests.
///
/// ```yaml
/// keys:
///   - name: team-a                 # unique; appears in logs and usage
///     tenant: acme                 # default: default
///     sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
///     models: ["gpt-4o*", "claude-*"]   # names, aliases or globs (* and ?); default ["*"]
/// ```
/// `tollgate key new` prints a fresh key and these lines.
public struct KeysSection: ConfigListSection {
    static let key = "keys"

    public var keys: [GatewayKeyConfig] = []

    static let sha256Expected = "64 hex digits, the SHA-256 of the key"
    static let patternExpected = "a model name, alias or glob (* and ?)"

    public init() {}

    init(from list: ConfigList, diagnostics: inout ConfigDiagnostics) {
        var names: [String: Int?] = [:]
        var digests: [[UInt8]: String] = [:]
        for index in list.items.indices {
            let read = diagnostics.attempt { () throws(ConfigError) -> GatewayKeyConfig in
                var mapping = try list.mapping(at: index)
                let key = try Self.key(from: &mapping)
                try mapping.rejectUnknownKeys()
                if let first = names[key.name] {
                    throw mapping.invalid(
                        "name",
                        "key '\(key.name)' is already defined\(first.map { " on line \($0)" } ?? "")"
                    )
                }
                // Comparing digests here is not on the request path: no constant time needed.
                if let other = digests[key.sha256] {
                    throw mapping.invalid("sha256", "the same digest as key '\(other)'")
                }
                names[key.name] = mapping.line(of: "name")
                digests[key.sha256] = key.name
                return key
            }
            if let read {
                keys.append(read)
            }
        }
    }

    private static func key(from mapping: inout ConfigMapping) throws(ConfigError) -> GatewayKeyConfig {
        guard let name = try mapping.text("name", expected: ConfigNames.nameExpected, ConfigNames.name) else {
            throw mapping.missing("name")
        }
        let tenant =
            try mapping.text("tenant", expected: ConfigNames.nameExpected, ConfigNames.name)
            ?? GatewayKeyConfig.defaultTenant
        // A key pasted in place of its digest must not be repeated in errors (and so in logs).
        guard
            let digest = try mapping.text(
                "sha256",
                expected: sha256Expected,
                quoting: false,
                GatewayKeyDigest.digest(hex:)
            )
        else {
            throw mapping.missing("sha256")
        }
        let models =
            try mapping.texts("models", expected: patternExpected) { $0.isEmpty ? nil : ModelPattern($0) }?
            .map(\.value) ?? GatewayKeyConfig.defaultModels
        return GatewayKeyConfig(name: name, tenant: tenant, sha256: digest, models: models)
    }
}

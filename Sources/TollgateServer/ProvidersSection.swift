import Gateway

/// The `providers:` section: the upstream APIs, each with its schema, base URL, credential and headers.
///
/// ```yaml
/// providers:
///   - name: openai
///     schema: openai                 # openai | azure-openai | anthropic
///     base_url: https://api.openai.com/v1
///     credential: { file: /var/run/secrets/tollgate/openai }   # or { env: OPENAI_API_KEY }; optional
///     headers: { OpenAI-Organization: org-123 }
///     api_version: 2024-10-21        # azure-openai only, required there
///     anthropic_version: 2023-06-01  # anthropic only
///     max_tokens_field: max_tokens   # openai and azure-openai only: max_tokens | max_completion_tokens
/// ```
/// `max_tokens_field` names the field a Messages request's `max_tokens` becomes when it is
/// translated for this provider; the default is `ProviderConfig.defaultMaxTokensField`
/// (`max_completion_tokens` for OpenAI and Azure, `max_tokens` for other compatible APIs).
/// A relative credential file is taken relative to the config file's directory.
public struct ProvidersSection: ConfigListSection {
    static let key = "providers"

    public var providers: [ProviderConfig] = []
    /// The line of each provider's `credential:` key, by provider name, for errors reading the secret.
    var credentialLines: [String: Int] = [:]
    /// Whether an item was left out for an error; then references to unknown providers are not
    /// reported, since the provider may be the one that was left out.
    var hasErrors = false

    static let schemaExpected = "one of " + ProviderSchema.allCases.map(\.rawValue).joined(separator: ", ")
    static let maxTokensFieldExpected = "one of " + OpenAIMaxTokensField.allCases.map(\.key).joined(separator: ", ")
    /// Headers Tollgate sets itself, or that HTTP/2 or Envoy own.
    static let reservedHeaders: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "te", "upgrade", "keep-alive",
        "proxy-connection",
    ]
    /// Headers that carry a provider credential; a provider with a credential may not set them.
    static let credentialHeaders: Set<String> = ["authorization", "api-key", "x-api-key"]

    public init() {}

    init(from list: ConfigList, diagnostics: inout ConfigDiagnostics) {
        var names: [String: Int?] = [:]
        for index in list.items.indices {
            let read = diagnostics.attempt { () throws(ConfigError) -> (ProviderConfig, Int?) in
                var mapping = try list.mapping(at: index)
                let provider = try Self.provider(from: &mapping, directory: list.directory)
                try mapping.rejectUnknownKeys()
                if let first = names[provider.name] {
                    throw mapping.invalid(
                        "name",
                        "provider '\(provider.name)' is already defined\(first.map { " on line \($0)" } ?? "")"
                    )
                }
                names[provider.name] = mapping.line(of: "name")
                return (provider, mapping.line(of: "credential"))
            }
            guard let (provider, credentialLine) = read else {
                hasErrors = true
                continue
            }
            providers.append(provider)
            if let credentialLine {
                credentialLines[provider.name] = credentialLine
            }
        }
    }

    private static func provider(
        from mapping: inout ConfigMapping,
        directory: String
    ) throws(ConfigError)
        -> ProviderConfig
    {
        guard let name = try mapping.text("name", expected: ConfigNames.providerExpected, ConfigNames.provider)
        else {
            throw mapping.missing("name")
        }
        guard let schema = try mapping.string("schema", expected: schemaExpected, ProviderSchema.init(rawValue:))
        else {
            throw mapping.missing("schema")
        }
        guard let baseURL = try mapping.string("base_url", expected: UpstreamURL.expected, UpstreamURL.init(parsing:))
        else {
            throw mapping.missing("base_url")
        }
        let credential = try Self.credential(from: &mapping, directory: directory)
        let headers = try Self.headers(from: &mapping, schema: schema, hasCredential: credential != nil)
        let apiVersion = try mapping.text("api_version", expected: ConfigNames.versionExpected, ConfigNames.version)
        let anthropicVersion = try mapping.text(
            "anthropic_version",
            expected: ConfigNames.versionExpected,
            ConfigNames.version
        )
        switch schema {
        case .azureOpenAI:
            if apiVersion == nil {
                throw mapping.missing("api_version")
            }
        case .openai, .anthropic:
            if apiVersion != nil {
                throw mapping.invalid("api_version", "only providers with schema azure-openai take an api_version")
            }
        }
        if anthropicVersion != nil && schema != .anthropic {
            throw mapping.invalid("anthropic_version", "only providers with schema anthropic take an anthropic_version")
        }
        let maxTokensField = try mapping.string("max_tokens_field", expected: maxTokensFieldExpected) { text in
            OpenAIMaxTokensField.allCases.first { $0.key == text }
        }
        if maxTokensField != nil && schema == .anthropic {
            throw mapping.invalid(
                "max_tokens_field",
                "only providers with schema openai or azure-openai take a max_tokens_field"
            )
        }
        return ProviderConfig(
            name: name,
            schema: schema,
            baseURL: baseURL,
            credential: credential,
            extraHeaders: headers,
            apiVersion: apiVersion,
            anthropicVersion: anthropicVersion ?? ProviderConfig.defaultAnthropicVersion,
            maxTokensField: maxTokensField
        )
    }

    private static func credential(
        from mapping: inout ConfigMapping,
        directory: String
    ) throws(ConfigError)
        -> CredentialSource?
    {
        guard mapping.line(of: "credential") != nil else {
            _ = try mapping.mapping("credential")
            return nil
        }
        var credential = try mapping.mapping("credential")
        let file = try credential.string("file", expected: "a file path") { $0.isEmpty ? nil : $0 }
        // A secret written in place of the variable's name must not be repeated in errors.
        let environment = try credential.text(
            "env",
            expected: ConfigNames.environmentExpected,
            quoting: false,
            ConfigNames.environmentVariable
        )
        try credential.rejectUnknownKeys()
        switch (file, environment) {
        case (let file?, nil):
            return .file(path: file.hasPrefix("/") || directory.isEmpty ? file : "\(directory)/\(file)")
        case (nil, let environment?):
            return .environment(name: environment)
        case (_?, _?), (nil, nil):
            throw mapping.invalid("credential", "expected exactly one of 'file' or 'env' (omit 'credential' for none)")
        }
    }

    private static func headers(
        from mapping: inout ConfigMapping,
        schema: ProviderSchema,
        hasCredential: Bool
    ) throws(ConfigError)
        -> [ProviderHeader]
    {
        var headers: [ProviderHeader] = []
        for (rawName, rawValue, line) in try mapping.textPairs("headers") ?? [] {
            let path = mapping.qualified("headers")
            func failure(_ message: String) -> ConfigError {
                ConfigError(file: mapping.file, line: line, message: "\(path).\(rawName): \(message)")
            }
            guard let name = ConfigNames.header(rawName) else {
                throw failure("expected \(ConfigNames.headerExpected)")
            }
            guard let value = ConfigNames.headerValue(rawValue) else {
                throw failure("the value may not contain line breaks or control characters")
            }
            if reservedHeaders.contains(name) || name.hasPrefix("x-tollgate-") {
                throw failure("this header is set by Tollgate or Envoy and cannot be configured")
            }
            if hasCredential && credentialHeaders.contains(name) {
                throw failure("this header carries the provider's credential; it is set from 'credential'")
            }
            if schema == .anthropic && name == "anthropic-version" {
                throw failure("set it with 'anthropic_version'")
            }
            if headers.contains(where: { $0.name == name }) {
                throw failure("header '\(name)' is given twice")
            }
            headers.append(ProviderHeader(name: name, value: value))
        }
        return headers
    }
}

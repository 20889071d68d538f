import Gateway

/// The `models:` section: the public model names clients send, their aliases, their backends, and
/// how Envoy retries and fails over between them.
///
/// ```yaml
/// models:
///   - name: gpt-4o-mini
///     aliases: [fast, default]
///     backends:
///       - provider: openai
///         model: gpt-4o-mini     # upstream name (Azure: the deployment); default: the public name
///         weight: 1              # default 1
///         priority: 0            # 0 (first) to 5, default 0
///     timeout: 300s              # and retry:, outlier_detection: (ModelsSection+Failover.swift)
/// ```
/// Names and aliases share one namespace: each may appear once. Backend ids are `<name>/<index>`.
/// Without any model the file is still valid; every model is then unknown (404 `model_not_found`).
public struct ModelsSection: ConfigListSection {
    static let key = "models"

    public var models: [ModelConfig] = []
    /// Where each backend's `provider:` is (path and line), by backend id, for the check against `providers:`.
    var providerReferences: [String: LocatedString] = [:]

    public init() {}

    init(from list: ConfigList, diagnostics: inout ConfigDiagnostics) {
        // Every name and alias taken so far, with the line where it was taken.
        var taken: [String: Int?] = [:]
        for index in list.items.indices {
            let read = diagnostics.attempt { () throws(ConfigError) -> (ModelConfig, [String: LocatedString]) in
                var mapping = try list.mapping(at: index)
                let (model, providerLines, aliasLines) = try Self.model(from: &mapping)
                try mapping.rejectUnknownKeys()
                func clash(_ name: String, line: Int?, what: String) -> ConfigError? {
                    guard let first = taken[name] else {
                        return nil
                    }
                    return ConfigError(
                        file: list.file,
                        line: line,
                        message:
                            "\(mapping.qualified(what)): '\(name)' is already a model name or alias"
                            + (first.map { " (line \($0))" } ?? "")
                    )
                }
                if let error = clash(model.name, line: mapping.line(of: "name"), what: "name") {
                    throw error
                }
                var mine: [String: Int?] = [model.name: mapping.line(of: "name")]
                for (alias, line) in zip(model.aliases, aliasLines) {
                    if let error = clash(alias, line: line, what: "aliases") {
                        throw error
                    }
                    if let first = mine[alias] {
                        throw ConfigError(
                            file: list.file,
                            line: line,
                            message:
                                "\(mapping.qualified("aliases")): '\(alias)' is already a name or alias of this model"
                                + (first.map { " (line \($0))" } ?? "")
                        )
                    }
                    mine[alias] = line
                }
                taken.merge(mine) { first, _ in first }
                return (model, providerLines)
            }
            guard let (model, lines) = read else {
                continue
            }
            models.append(model)
            providerReferences.merge(lines) { first, _ in first }
        }
    }

    private static func model(
        from mapping: inout ConfigMapping
    ) throws(ConfigError)
        -> (ModelConfig, providerReferences: [String: LocatedString], aliasLines: [Int?])
    {
        guard let name = try mapping.text("name", expected: ConfigNames.nameExpected, ConfigNames.name) else {
            throw mapping.missing("name")
        }
        let aliases = try mapping.texts("aliases", expected: ConfigNames.nameExpected, ConfigNames.name) ?? []
        let backendList = try mapping.list("backends")
        if backendList.items.isEmpty {
            throw mapping.line(of: "backends") == nil
                ? mapping.missing("backends") : mapping.invalid("backends", "expected at least one backend")
        }
        var backends: [BackendConfig] = []
        var providerReferences: [String: LocatedString] = [:]
        for index in backendList.items.indices {
            var item = try backendList.mapping(at: index)
            guard let provider = try item.text("provider", expected: ConfigNames.providerExpected, ConfigNames.provider)
            else {
                throw item.missing("provider")
            }
            let upstreamModel =
                try item.text("model", expected: ConfigNames.nameExpected, ConfigNames.name) ?? name
            let weight = try item.integer("weight", in: BackendConfig.weightRange) ?? BackendConfig.defaultWeight
            let priority =
                try item.integer("priority", in: BackendConfig.priorityRange) ?? BackendConfig.defaultPriority
            try item.rejectUnknownKeys()
            let id = BackendConfig.id(model: name, index: index)
            backends.append(
                BackendConfig(
                    id: id,
                    provider: provider,
                    upstreamModel: upstreamModel,
                    weight: weight,
                    priority: priority
                )
            )
            providerReferences[id] = LocatedString(value: item.qualified("provider"), line: item.line(of: "provider"))
        }
        let failover = try Self.failover(from: &mapping)
        let model = ModelConfig(
            name: name,
            aliases: aliases.map(\.value),
            backends: backends,
            timeout: failover.timeout,
            retry: failover.retry,
            outlierDetection: failover.outlierDetection
        )
        return (model, providerReferences, aliases.map(\.line))
    }

    /// Backends naming a provider that `providers` does not define.
    func unknownProviders(_ providers: ProvidersSection, file: String) -> [ConfigError] {
        let known = Set(providers.providers.map(\.name))
        return models.flatMap(\.backends).compactMap { backend in
            guard !known.contains(backend.provider) else {
                return nil
            }
            let reference = providerReferences[backend.id]
            return ConfigError(
                file: file,
                line: reference?.line,
                message: "\(reference?.value ?? backend.id): no provider named '\(backend.provider)'"
            )
        }
    }
}

import Foundation
import Yams

/// Reads the YAML config file into a `ServerConfig`.
///
/// The file is composed into Yams nodes rather than decoded with `Codable`, because nodes keep their
/// line numbers: every error says where to look, and a misspelt key is an error, not a silent default.
public enum ConfigLoader {
    /// Reads and parses `path`. Cross-key checks are left to `ServerConfig.validate()`, which runs
    /// after flags have been applied.
    public static func load(file path: String) throws(ConfigError) -> ServerConfig {
        try parse(yaml: read(file: path).get(), file: path)
    }

    /// The text of the config file, or the error saying why it cannot be read.
    static func read(file path: String) -> Result<String, ConfigError> {
        do {
            return .success(try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            return .failure(
                ConfigError(
                    file: path,
                    line: nil,
                    message: "cannot read the config file: \(error.localizedDescription)"
                )
            )
        }
    }

    /// Parses config text; `file` names it in errors. Throws the first error, by line.
    public static func parse(yaml: String, file: String) throws(ConfigError) -> ServerConfig {
        let diagnosis = diagnose(yaml: yaml, file: file)
        if let first = diagnosis.errors.first {
            throw first
        }
        return diagnosis.config
    }

    /// Reads `path` and reports every error found, for `tollgate check`.
    public static func diagnose(file path: String) -> ConfigDiagnosis {
        switch read(file: path) {
        case .success(let text): diagnose(yaml: text, file: path)
        case .failure(let error): ConfigDiagnosis(config: ServerConfig(), errors: [error])
        }
    }

    /// Parses config text and reports every error found, sorted by line. Reading goes on past an
    /// error in one section, or in one item of a list, so each is reported; the config holds what
    /// could be read.
    public static func diagnose(yaml: String, file: String) -> ConfigDiagnosis {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            return ConfigDiagnosis(config: ServerConfig(), errors: [configError(error, file: file)])
        } catch {
            return ConfigDiagnosis(
                config: ServerConfig(),
                errors: [ConfigError(file: file, line: nil, message: "\(error)")]
            )
        }
        var diagnostics = ConfigDiagnostics()
        var config = ServerConfig()
        guard
            var mapping = diagnostics.attempt({ () throws(ConfigError) in try ConfigMapping(root, path: "", file: file)
            })
        else {
            return ConfigDiagnosis(config: config, errors: diagnostics.sorted)
        }
        // One line per section; a new section is a new file plus a line here.
        read(&config.server, from: &mapping, &diagnostics)
        read(&config.log, from: &mapping, &diagnostics)
        read(&config.providers, from: &mapping, &diagnostics)
        read(&config.models, from: &mapping, &diagnostics)
        read(&config.keys, from: &mapping, &diagnostics)
        read(&config.gateway, from: &mapping, &diagnostics)
        read(&config.storage, from: &mapping, &diagnostics)
        read(&config.ledger, from: &mapping, &diagnostics)
        read(&config.prices, from: &mapping, &diagnostics)
        read(&config.limits, from: &mapping, &diagnostics)
        diagnostics.attempt { () throws(ConfigError) in try mapping.rejectUnknownKeys() }
        // Checks across sections.
        if !config.providers.hasErrors {
            for error in config.models.unknownProviders(config.providers, file: file) {
                diagnostics.record(error)
            }
        }
        // Limits name keys, tenants and models; an item left out anywhere may be the one named.
        if diagnostics.errors.isEmpty {
            let prices = config.prices.table
            for error in config.limits.unknownReferences(
                keys: config.keys.keys,
                models: config.models.models,
                prices: prices,
                file: file
            ) {
                diagnostics.record(error)
            }
        }
        return ConfigDiagnosis(config: config, errors: diagnostics.sorted)
    }

    private static func read<Section: ConfigSection>(
        _ section: inout Section,
        from root: inout ConfigMapping,
        _ diagnostics: inout ConfigDiagnostics
    ) {
        diagnostics.attempt { () throws(ConfigError) in
            var mapping = try root.mapping(Section.key)
            section = try Section(from: &mapping)
            try mapping.rejectUnknownKeys()
        }
    }

    private static func read<Section: ConfigListSection>(
        _ section: inout Section,
        from root: inout ConfigMapping,
        _ diagnostics: inout ConfigDiagnostics
    ) {
        guard let list = diagnostics.attempt({ () throws(ConfigError) in try root.list(Section.key) }) else {
            return
        }
        section = Section(from: list, diagnostics: &diagnostics)
    }

    private static func configError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text): " } ?? ""
            return ConfigError(file: file, line: mark.line, message: "invalid YAML: \(prefix)\(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(
                file: file,
                line: context.mark.line,
                message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", "))"
            )
        case .no, .memory, .reader, .writer, .emitter, .representer, .dataCouldNotBeDecoded:
            return ConfigError(file: file, line: nil, message: "invalid YAML: \(error)")
        }
    }
}

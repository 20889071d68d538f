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
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(
                file: path,
                line: nil,
                message: "cannot read the config file: \(error.localizedDescription)"
            )
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses config text; `file` names it in errors.
    public static func parse(yaml: String, file: String) throws(ConfigError) -> ServerConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw configError(error, file: file)
        } catch {
            throw ConfigError(file: file, line: nil, message: "\(error)")
        }
        var mapping = try ConfigMapping(root, path: "", file: file)
        var config = ServerConfig()
        // One line per section; a new section is a new file plus a line here.
        try read(&config.server, from: &mapping)
        try read(&config.log, from: &mapping)
        try mapping.rejectUnknownKeys()
        return config
    }

    private static func read<Section: ConfigSection>(
        _ section: inout Section,
        from root: inout ConfigMapping
    ) throws(ConfigError) {
        var mapping = try root.mapping(Section.key)
        section = try Section(from: &mapping)
        try mapping.rejectUnknownKeys()
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

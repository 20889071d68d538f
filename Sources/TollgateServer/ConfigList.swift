import Yams

/// One YAML list of the config file, such as `providers:`, whose items are read one by one.
struct ConfigList {
    /// The dotted path of the list, such as `providers` or `models[0].backends`.
    let path: String
    let file: String
    let line: Int?
    let items: [Node]

    init(_ node: Node?, path: String, file: String) throws(ConfigError) {
        self.path = path
        self.file = file
        self.line = node?.mark?.line
        guard let node else {
            items = []
            return
        }
        guard case .sequence(let sequence) = node else {
            throw ConfigError(file: file, line: line, message: "\(path): expected a list")
        }
        items = Array(sequence)
    }

    func itemPath(_ index: Int) -> String {
        "\(path)[\(index)]"
    }

    func itemLine(_ index: Int) -> Int? {
        items[index].mark?.line
    }

    /// Item `index`, which must be a mapping.
    func mapping(at index: Int) throws(ConfigError) -> ConfigMapping {
        let item = items[index]
        if item.resolvedTagName == .null {
            throw ConfigError(file: file, line: item.mark?.line, message: "\(itemPath(index)): expected a mapping")
        }
        return try ConfigMapping(item, path: itemPath(index), file: file)
    }

    /// The directory of the config file, against which relative paths in it are resolved;
    /// empty when the file name has none (then the working directory applies).
    var directory: String {
        guard let slash = file.lastIndex(of: "/") else {
            return ""
        }
        return file[..<slash].isEmpty ? "/" : String(file[..<slash])
    }
}

/// A string read from the file with the line it is on.
struct LocatedString: Sendable, Equatable {
    var value: String
    var line: Int?
}

extension ConfigMapping {
    /// The list under `key`; empty when the key is absent or null.
    mutating func list(_ key: String) throws(ConfigError) -> ConfigList {
        try ConfigList(node(key), path: qualified(key), file: file)
    }

    /// An error for a required key that is absent, at the mapping's line.
    func missing(_ key: String) -> ConfigError {
        ConfigError(file: file, line: line, message: "\(path): missing '\(key)'")
    }

    /// An error about the value of `key`, at the line of `key`.
    func invalid(_ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, line: line(of: key), message: "\(qualified(key)): \(message)")
    }

    /// Any scalar (string, number, date, boolean) as the text written in the file, checked by `parse`.
    /// YAML reads `api_version: 2024-10-21` as a date and `name: 4` as a number; here both are text.
    mutating func text<Value>(
        _ key: String,
        expected: String,
        quoting: Bool = true,
        _ parse: (String) -> Value?
    ) throws(ConfigError) -> Value? {
        try scalar(key, expected: expected, quoting: quoting) { scalar, _ in parse(scalar.string) }
    }

    mutating func text(_ key: String, expected: String) throws(ConfigError) -> String? {
        try text(key, expected: expected) { $0 }
    }

    /// A list of scalars, each checked by `parse`; nil when the key is absent or null.
    mutating func texts<Value>(
        _ key: String,
        expected: String,
        _ parse: (String) -> Value?
    ) throws(ConfigError) -> [(value: Value, line: Int?)]? {
        guard let value = node(key) else {
            return nil
        }
        let list = try ConfigList(value, path: qualified(key), file: file)
        var result: [(value: Value, line: Int?)] = []
        for (index, item) in list.items.enumerated() {
            guard case .scalar(let scalar) = item, item.resolvedTagName != .null, let parsed = parse(scalar.string)
            else {
                throw ConfigError(
                    file: file,
                    line: item.mark?.line,
                    message: "\(list.itemPath(index)): expected \(expected)"
                )
            }
            result.append((parsed, item.mark?.line))
        }
        return result
    }

    /// A mapping of scalar names to scalar values in file order, such as `headers:`; nil when absent or null.
    mutating func textPairs(_ key: String) throws(ConfigError) -> [(name: String, value: String, line: Int?)]? {
        guard let value = node(key) else {
            return nil
        }
        guard case .mapping(let mapping) = value else {
            throw invalid(key, "expected a mapping of names to values")
        }
        var result: [(name: String, value: String, line: Int?)] = []
        for (name, value) in mapping {
            guard case .scalar(let nameScalar) = name, case .scalar(let valueScalar) = value,
                value.resolvedTagName != .null
            else {
                throw ConfigError(
                    file: file,
                    line: name.mark?.line,
                    message: "\(qualified(key)): expected a mapping of names to values"
                )
            }
            result.append((nameScalar.string, valueScalar.string, name.mark?.line))
        }
        return result
    }
}

import Yams

/// One YAML mapping of the config file, read key by key.
///
/// Every key a section asks for is remembered, so after the section has read its keys,
/// `rejectUnknownKeys()` can name any typo with its line and list the keys that are allowed.
/// Type and range errors carry the line of the offending value.
struct ConfigMapping {
    /// The dotted path of this mapping, such as `server`; empty at the root.
    let path: String
    let file: String
    let line: Int?
    private var entries: [String: (keyLine: Int?, value: Node)] = [:]
    private var keyOrder: [String] = []
    private var askedKeys: [String] = []

    init(_ node: Node?, path: String, file: String) throws(ConfigError) {
        self.path = path
        self.file = file
        self.line = node?.mark?.line
        guard let node else {
            return
        }
        guard case .mapping(let mapping) = node else {
            throw ConfigError(
                file: file,
                line: line,
                message: "\(path.isEmpty ? "the document" : path): expected a mapping of keys to values"
            )
        }
        for (key, value) in mapping {
            // Yams rejects duplicate keys while composing, so each key is seen once here.
            guard case .scalar(let scalar) = key else {
                throw ConfigError(file: file, line: key.mark?.line, message: "\(path): keys must be plain words")
            }
            entries[scalar.string] = (key.mark?.line, value)
            keyOrder.append(scalar.string)
        }
    }

    /// The nested mapping under `key`, or an empty one when the key is absent or null.
    mutating func mapping(_ key: String) throws(ConfigError) -> ConfigMapping {
        askedKeys.append(key)
        let value = entries[key]?.value
        if let value, value.resolvedTagName == .null {
            return try ConfigMapping(nil, path: qualified(key), file: file)
        }
        return try ConfigMapping(value, path: qualified(key), file: file)
    }

    /// The raw node under `key`, for readers of lists and free-form mappings; nil when the key is
    /// absent or null.
    mutating func node(_ key: String) -> Node? {
        askedKeys.append(key)
        guard let value = entries[key]?.value, value.resolvedTagName != .null else {
            return nil
        }
        return value
    }

    /// The line of `key` itself, for errors about a key that is present.
    func line(of key: String) -> Int? {
        entries[key]?.keyLine
    }

    /// Reads the scalar under `key` through `convert`, which also gets the scalar's resolved type
    /// (`.str`, `.int`, ...); nil when the key is absent or null. A value that is not a scalar, or
    /// that `convert` refuses, is an error naming `expected`.
    /// With `quoting: false` the refused value is not repeated in the error, for keys where a
    /// secret pasted by mistake would otherwise end up in logs (a raw key instead of its digest).
    mutating func scalar<Value>(
        _ key: String,
        expected: String,
        quoting: Bool = true,
        _ convert: (Node.Scalar, Tag.Name) -> Value?
    ) throws(ConfigError) -> Value? {
        askedKeys.append(key)
        guard let value = entries[key]?.value else {
            return nil
        }
        let problem: String
        switch value {
        case .scalar(let scalar):
            let type = value.resolvedTagName
            if type == .null {
                return nil
            }
            if let converted = convert(scalar, type) {
                return converted
            }
            problem =
                quoting ? "got '\(scalar.string)'" : "got a value of \(scalar.string.count) characters (not shown)"
        case .mapping:
            problem = "got a mapping"
        case .sequence:
            problem = "got a list"
        case .alias:
            problem = "got an alias"
        }
        throw ConfigError(
            file: file,
            line: value.mark?.line,
            message: "\(qualified(key)): expected \(expected), \(problem)"
        )
    }

    /// Fails on the first key, in file order, that no reader asked for.
    func rejectUnknownKeys() throws(ConfigError) {
        guard let unknown = keyOrder.first(where: { !askedKeys.contains($0) }) else {
            return
        }
        throw ConfigError(
            file: file,
            line: entries[unknown]?.keyLine,
            message: "unknown key '\(qualified(unknown))'; expected one of: \(askedKeys.joined(separator: ", "))"
        )
    }

    /// The dotted path of `key` in this mapping, as errors name it.
    func qualified(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }
}

extension ConfigMapping {
    /// A string written as a YAML string (plain or quoted), not a number or boolean.
    mutating func string(_ key: String, expected: String = "a string") throws(ConfigError) -> String? {
        try scalar(key, expected: expected) { $1 == .str ? $0.string : nil }
    }

    /// A string that `parse` accepts, such as `host:port`.
    mutating func string<Value>(
        _ key: String,
        expected: String,
        _ parse: (String) -> Value?
    ) throws(ConfigError) -> Value? {
        try scalar(key, expected: expected) { $1 == .str ? parse($0.string) : nil }
    }

    /// A plain YAML integer within `range`.
    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        try scalar(key, expected: range.expectedInteger) { scalar, type in
            guard type == .int else {
                return nil
            }
            return Int.construct(from: scalar).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    /// A plain YAML integer or decimal number within `range`, such as `0.5` seconds.
    mutating func number(_ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Double? {
        try scalar(key, expected: range.expectedNumber) { scalar, type in
            guard type == .int || type == .float else {
                return nil
            }
            return Double.construct(from: scalar).flatMap { range.contains(number: $0) ? $0 : nil }
        }
    }
}

extension Node {
    /// The YAML type the resolver gave this node (`Tag.name` is not public in Yams).
    var resolvedTagName: Tag.Name {
        Tag.Name(rawValue: tag.rawValue)
    }
}

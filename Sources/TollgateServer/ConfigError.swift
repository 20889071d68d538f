/// A config file or flag that cannot be used, with the place to fix it.
///
/// The description reads like a compiler diagnostic, `tollgate.yaml:4: server.threads: ...`, so an
/// operator can jump to the line.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    /// The config file, or nil when the error is in a flag or spans file and flags.
    public let file: String?
    /// The 1-based line in `file`, when the error is at one place.
    public let line: Int?
    public let message: String

    public init(file: String?, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        switch (file, line) {
        case (let file?, let line?): "\(file):\(line): \(message)"
        case (let file?, nil): "\(file): \(message)"
        case (nil, _): message
        }
    }
}

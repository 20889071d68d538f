/// One top-level section of the config file, such as `server:` or `log:`.
///
/// A section is one file: it names its key, its defaults (`init()`, used when the key is absent),
/// and how it reads its mapping. `ConfigLoader` lists the sections; keys no section claims are errors.
protocol ConfigSection: Sendable, Equatable {
    static var key: String { get }

    init()

    /// Reads every key the section knows from `mapping`. Keys left unread are reported by the loader.
    init(from mapping: inout ConfigMapping) throws(ConfigError)
}

/// One top-level section of the config file that is a list, such as `providers:`.
///
/// Unlike a `ConfigSection`, a list section reads on past a bad item, recording its error, so one
/// run of `tollgate check` names every bad item. Items with errors are left out.
protocol ConfigListSection: Sendable, Equatable {
    static var key: String { get }

    init()

    init(from list: ConfigList, diagnostics: inout ConfigDiagnostics)
}

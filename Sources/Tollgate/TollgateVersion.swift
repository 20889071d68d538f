/// The one place the release version is written; `tollgate version` and `--version` print it.
enum TollgateVersion {
    static let current = "0.1.0"
}

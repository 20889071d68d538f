import ArgumentParser

/// `tollgate version`: prints `tollgate <version>`.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version."
    )

    func run() {
        print("tollgate \(TollgateVersion.current)")
    }
}

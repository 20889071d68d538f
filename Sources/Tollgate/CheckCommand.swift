import ArgumentParser
import Foundation
import TollgateServer

/// `tollgate check --config FILE [overrides]`: prints `ok` and a summary, or every error as
/// `file:line: message` and exits 1. Takes the flags of `serve`, so it checks exactly what serving
/// with them would.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a config file: print ok and a summary, or each error with its line."
    )

    @OptionGroup var options: ServerOptions

    func validate() throws {
        if options.configFile == nil {
            throw ValidationError("Missing --config FILE.")
        }
    }

    func run() throws {
        let report = ConfigCheck.run(options: options, environment: ProcessInfo.processInfo.environment)
        for line in report.lines {
            print(line)
        }
        if !report.ok {
            throw ExitCode.failure
        }
    }
}

import ArgumentParser

/// The `tollgate` command line: an Envoy ext_proc server.
@main
struct TollgateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tollgate",
        abstract: "An Envoy external-processing (ext_proc) gRPC server.",
        version: TollgateVersion.current,
        subcommands: [
            ServeCommand.self, CheckCommand.self, KeyCommand.self, EnvoyConfigCommand.self, FakeProviderCommand.self,
            UsageCommand.self, VersionCommand.self,
        ]
    )
}

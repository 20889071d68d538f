import ArgumentParser
import Gateway

/// `tollgate serve`'s Envoy flags: where to keep Envoy's routes and model clusters up to date.
///
/// With `--envoy-xds-dir DIR`, serve writes `DIR/clusters.yaml` and `DIR/routes.yaml` at start and
/// after every accepted config reload, before the new config takes effect; the Envoy bootstrap from
/// `tollgate envoy-config --xds-dir DIR` reads them. Without it, Envoy's side is whatever was
/// rendered at start.
struct EnvoyXDSOptions: ParsableArguments {
    @Option(
        name: .customLong("envoy-xds-dir"),
        help: ArgumentHelp(
            "Keep Envoy's routes and model clusters in this directory (see tollgate envoy-config --xds-dir).",
            valueName: "dir"
        )
    )
    var directory: String?

    @Option(
        name: .customLong("envoy-ca-file"),
        help: ArgumentHelp("CA bundle Envoy verifies https providers with.", valueName: "file")
    )
    var caFile: String = EnvoyClusterOptions.defaultCAFile

    /// The writer for `--envoy-xds-dir`, or nil when the flag is not given.
    func makeWriter() -> EnvoyXDSWriter? {
        directory.map { EnvoyXDSWriter(directory: $0, options: EnvoyClusterOptions(caFile: caFile)) }
    }
}

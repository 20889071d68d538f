import Foundation
import Gateway

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `EnvoyXDSFiles` into Envoy's xDS directory, so that a gateway config reload reaches Envoy.
///
/// Envoy watches `clusters.yaml` and `routes.yaml` for a file being moved onto them (inotify), so each
/// file is written under a temporary name in the same directory and renamed over the old one: Envoy
/// never reads half a file. Clusters go first, so a new route never names a cluster Envoy lacks.
/// A file whose content would not change is not touched, so an unrelated reload (a new key) does
/// not make Envoy re-read anything.
struct EnvoyXDSWriter: Sendable {
    let directory: String
    let options: EnvoyClusterOptions

    init(directory: String, options: EnvoyClusterOptions = EnvoyClusterOptions()) {
        self.directory = directory
        self.options = options
    }

    /// Renders `config` and writes whichever file changed, creating the directory if needed.
    /// Returns whether anything was written.
    @discardableResult
    func write(_ config: GatewayConfig) throws -> Bool {
        let files = try EnvoyXDSFiles(config: config, options: options)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let wroteClusters = try Self.replace(EnvoyXDSFiles.clustersPath(in: directory), with: files.clusters)
        let wroteRoutes = try Self.replace(EnvoyXDSFiles.routesPath(in: directory), with: files.routes)
        return wroteClusters || wroteRoutes
    }

    private static func replace(_ path: String, with text: String) throws -> Bool {
        let bytes = Data(text.utf8)
        if let existing = FileManager.default.contents(atPath: path), existing == bytes {
            return false
        }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        guard FileManager.default.createFile(atPath: temporary, contents: bytes) else {
            throw EnvoyBootstrapError.cannotWrite(path: temporary, reason: "cannot create the file")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw EnvoyBootstrapError.cannotWrite(path: path, reason: reason)
        }
        return true
    }
}

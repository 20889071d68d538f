import Foundation

/// A temporary directory for one test, removed when the test is done with it.
final class ConfigTestFiles {
    let directory: String

    init() throws {
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent("tollgate-config-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func path(_ name: String) -> String {
        "\(directory)/\(name)"
    }

    /// Writes `text` to `name` through a temporary file and a rename, as editors and
    /// Kubernetes do, so the file's inode changes.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let target = path(name)
        let temporary = "\(target).tmp-\(UUID().uuidString)"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        _ = rename(temporary, target)
        return target
    }

    /// Rewrites `name` in place (same inode), as `echo >` does.
    func overwrite(_ name: String, _ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path(name)))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    func remove(_ name: String) throws {
        try FileManager.default.removeItem(atPath: path(name))
    }

    /// Points the symlink `name` at `target` atomically (a new link renamed over the old one), the
    /// way Kubernetes swaps `..data` in a ConfigMap or Secret mount.
    func link(_ name: String, to target: String) throws {
        let temporary = "\(path(name)).tmp-link-\(UUID().uuidString)"
        try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: target)
        _ = rename(temporary, path(name))
    }
}

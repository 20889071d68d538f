#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a file is now, as far as noticing a change goes: `stat` of the path, following symlinks.
///
/// Following symlinks is what catches Kubernetes' ConfigMap and Secret updates: the mounted file is a
/// symlink into a `..data` directory that is swapped atomically, so the path keeps its name while
/// the device and inode behind it change. Size, modification and change times catch in-place writes.
enum FileIdentity: Sendable, Hashable {
    case present(device: UInt64, inode: UInt64, size: Int64, modified: Timestamp, changed: Timestamp)
    /// `stat` failed, with its errno: the file is missing or unreadable.
    case unavailable(errno: Int32)

    struct Timestamp: Sendable, Hashable {
        var seconds: Int
        var nanoseconds: Int
    }

    static func of(_ path: String) -> FileIdentity {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return .unavailable(errno: errno)
        }
        return .present(
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            size: Int64(info.st_size),
            modified: Timestamp(seconds: Int(info.st_mtim.tv_sec), nanoseconds: Int(info.st_mtim.tv_nsec)),
            changed: Timestamp(seconds: Int(info.st_ctim.tv_sec), nanoseconds: Int(info.st_ctim.tv_nsec))
        )
    }

    /// The reason `stat` gave, such as "No such file or directory"; nil when the file is there.
    var problem: String? {
        switch self {
        case .present: nil
        case .unavailable(let code): String(cString: strerror(code))
        }
    }
}

extension FileIdentity {
    /// Whether the file's content or metadata changed after `time` (seconds since the epoch).
    func isModified(after time: Double) -> Bool {
        switch self {
        case .present(_, _, _, let modified, let changed):
            max(modified.secondsSinceEpoch, changed.secondsSinceEpoch) > time
        case .unavailable:
            false
        }
    }
}

extension FileIdentity.Timestamp {
    var secondsSinceEpoch: Double {
        Double(seconds) + Double(nanoseconds) / 1e9
    }
}

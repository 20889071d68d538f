import Foundation
import Glibc
import Testing

/// A `redis-server` of the test's own on 127.0.0.1 and a free port, stopped when the test ends
/// (`stop()`, or `deinit`). Without persistence, unless `persistent`: then every write is in an
/// append-only file, fsynced, so a server killed and started again comes back with its data, as a
/// real outage would leave it.
///
/// CI installs redis-server (scripts/setup.sh), so a missing binary fails the test with a message
/// saying so; `TOLLGATE_SKIP_REDIS_TESTS=1` skips these tests instead, for development machines
/// without it.
final class RedisTestServer: @unchecked Sendable {
    // Unchecked: `process` is only touched by the test that owns the server, one call at a time.
    static let skipVariable = "TOLLGATE_SKIP_REDIS_TESTS"
    static var skipped: Bool { ProcessInfo.processInfo.environment[skipVariable] == "1" }

    let port: Int
    private let binary: String
    private let directory: URL?
    private var process: Process?

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "redis-server is not installed: run scripts/setup.sh (apt-get install redis-server), "
                + "or set \(RedisTestServer.skipVariable)=1 to skip the Redis tests on a development machine"
        }
    }

    init(persistent: Bool = false) throws {
        guard let binary = Self.find("redis-server") else { throw Missing() }
        self.binary = binary
        port = try Self.freePort()
        if persistent {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tg-redis-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            self.directory = directory
        } else {
            directory = nil
        }
        try start()
    }

    deinit {
        stop()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// Starts the server (again, after `stop()`) and waits until it answers.
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--daemonize", "no", "--loglevel", "warning",
        ]
        if let directory {
            process.arguments! += ["--dir", directory.path, "--appendonly", "yes", "--appendfsync", "always"]
        } else {
            process.arguments! += ["--appendonly", "no"]
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.ping(port: port) { return }
            usleep(10_000)
        }
        throw RedisStartError(message: "redis-server on port \(port) did not answer within 10 s")
    }

    /// Kills the server and waits for it to exit. SIGKILL, because a child inherits the test
    /// runner's blocked signals (SIGTERM among them); a persistent server has fsynced every write.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    struct RedisStartError: Error {
        var message: String
    }

    private static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/sbin"]
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A port the kernel had free a moment ago.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw RedisStartError(message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something answers `PING` with `+PONG` on the port.
    static func ping(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return false }
        let request = Array("PING\r\n".utf8)
        guard write(fd, request, request.count) == request.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = read(fd, &buffer, buffer.count)
        return count >= 5 && String(decoding: buffer[0..<5], as: UTF8.self) == "+PONG"
    }
}

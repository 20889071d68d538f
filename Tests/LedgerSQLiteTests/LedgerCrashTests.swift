import Foundation
import Gateway
import Synchronization
import Testing

@testable import LedgerSQLite

/// SIGKILL loses at most the batch window: `LedgerCrashProbe` records a request every half
/// millisecond, printing each after `record(_:)` returned, and is killed mid-stream. Every record it
/// printed and the database lacks must have been recorded within the window (plus the commit in
/// flight) before the kill, and what the database has is a prefix with no gaps.
@Suite(.serialized) struct LedgerCrashTests {
    static let window = Duration.milliseconds(200)
    /// Beyond the window: one commit in flight plus scheduling on a busy 2-core machine.
    static let slack = Duration.milliseconds(300)

    /// The probe executable, built next to this test bundle by `swift build` / `swift test`.
    static var probePath: String? {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return nil
        }
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On Linux the test runner may be inside `TollgatePackageTests.xctest/`; the products are beside it.
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("LedgerCrashProbe").path
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    @Test(arguments: [1, 2])
    func sigkillLosesAtMostTheBatchWindow(run: Int) throws {
        let probe = try #require(Self.probePath, "LedgerCrashProbe is not built next to the tests")
        let directory = try TemporaryDirectory()
        let path = directory.file("crash.db")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: probe)
        process.arguments = [
            path,
            "\(Self.window.components.seconds * 1000 + Self.window.components.attoseconds / 1_000_000_000_000_000)",
            "500",
        ]
        let output = Pipe()
        process.standardOutput = output
        let collected = Mutex(Data())
        let reader = Thread {
            while true {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty {
                    return
                }
                collected.withLock { $0.append(chunk) }
            }
        }
        try process.run()
        reader.start()
        // Let it run for about 1.5 s (plus its startup).
        let started = ContinuousClock.now
        while collected.withLock({ $0.count }) < 20 && ContinuousClock.now - started < .seconds(10) {
            Thread.sleep(forTimeInterval: 0.01)
        }
        Thread.sleep(forTimeInterval: 1.5 + 0.1 * Double(run))
        let killTime = UnixTime.now()
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        while !reader.isFinished {
            Thread.sleep(forTimeInterval: 0.01)
        }

        let lines = String(decoding: collected.withLock { $0 }, as: UTF8.self).split(separator: "\n")
        #expect(lines.first == "ready")
        var recorded: [Int: UnixTime] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ")
            // The last line may be cut by the kill.
            guard fields.count == 2, let index = Int(fields[0]), let time = Int64(fields[1]) else {
                continue
            }
            recorded[index] = UnixTime(milliseconds: time)
        }
        #expect(recorded.count > 1000)

        // After a SIGKILL the -wal and -shm files are left behind; opening recovers from them.
        let store = try LedgerStore(path: path)
        let committed = try store.records().map { Int($0.requestID.dropFirst("probe-".count))! }
        // A prefix of what was recorded, in order, without gaps.
        #expect(committed == Array(0..<committed.count))
        let missing = recorded.filter { $0.key >= committed.count }
        let oldestMissing = missing.values.min()
        let lossSpan = oldestMissing.map { killTime - $0 } ?? .zero
        print(
            "SIGKILL run \(run): \(recorded.count) recorded, \(committed.count) committed, \(missing.count) lost, "
                + "oldest lost recorded \(lossSpan) before the kill (window \(Self.window))"
        )
        #expect(lossSpan <= Self.window + Self.slack)
        // Something was in the window, or the test proves nothing.
        #expect(committed.count > 0)
    }
}

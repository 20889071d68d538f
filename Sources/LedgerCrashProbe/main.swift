import Foundation
import Gateway
import LedgerSQLite
import Logging
import Telemetry

// Test-only (not a product): records usage into a ledger as fast as told until it is killed, printing
// `<index> <time_ms>` after each record is handed to the writer. LedgerSQLiteTests SIGKILLs it and
// checks that what is missing from the database was recorded within the last batch window.
//
// Usage: LedgerCrashProbe DB_PATH BATCH_WINDOW_MS INTERVAL_MICROSECONDS

let arguments = CommandLine.arguments
guard arguments.count == 4, let windowMilliseconds = Int(arguments[2]), let interval = UInt32(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: LedgerCrashProbe DB_PATH BATCH_WINDOW_MS INTERVAL_MICROSECONDS\n".utf8))
    exit(2)
}
let writer: LedgerWriter
do {
    // batch_max far above what one window gathers, so only the window triggers a commit.
    writer = try LedgerWriter(
        path: arguments[1],
        settings: LedgerSettings(batchWindow: .milliseconds(windowMilliseconds), batchMax: 1_000_000, retentionDays: 0),
        registry: MetricsRegistry(),
        logger: Logger(label: "ledger-crash-probe")
    )
} catch {
    FileHandle.standardError.write(Data("cannot open the ledger: \(error)\n".utf8))
    exit(1)
}
// One write per line, unbuffered: a line the test reads was printed after its record() returned.
let output = FileHandle.standardOutput
output.write(Data("ready\n".utf8))
var index = 0
while true {
    let now = UnixTime.now()
    writer.record(
        UsageRecord(
            time: now,
            requestID: "probe-\(index)",
            keyName: "probe",
            tenant: "test",
            endpoint: "/v1/chat/completions",
            requestedModel: "gpt-4o-mini",
            status: 200,
            inputTokens: 12,
            outputTokens: 34,
            duration: .milliseconds(5)
        )
    )
    output.write(Data("\(index) \(now.milliseconds)\n".utf8))
    index += 1
    if interval > 0 {
        usleep(interval)
    }
}

import Foundation
import Gateway
import Testing

/// Rough costs of the two JSON readers over the same long bodies (ASCII, non-ASCII and escaped
/// text), printed, for `swift test -c release` with `TOLLGATE_BENCH=1`; skipped otherwise.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TOLLGATE_BENCH"] == "1"))
struct JSONBenchmarkTests {
    /// 200 turns of about 2 KB each, in the shape of a chat request.
    private func conversation(_ turn: String) -> [UInt8] {
        let messages = (0..<200).map { index in
            #"{"role":"\#(index % 2 == 0 ? "user" : "assistant")","content":"\#(turn)"}"#
        }
        return Array(
            #"{"model":"m","stream":true,"max_tokens":64,"messages":[\#(messages.joined(separator: ","))]}"#.utf8
        )
    }

    @Test func readers() throws {
        let bodies: [(String, [UInt8])] = [
            (
                "ascii",
                conversation(String(repeating: "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ", count: 36))
            ),
            ("non-ascii", conversation(String(repeating: "Füchse springen über 中文字符 😀 ", count: 50))),
            ("escaped", conversation(String(repeating: #"line \"one\"\n\ttab \u00e9 \\ "#, count: 70))),
        ]
        for (name, body) in bodies {
            measure("scan 200 turns, \(name) (\(body.count / 1024) KiB)", iterations: 50) {
                _ = try? RequestBodyFields(scanning: body)
            }
            measure("parse 200 turns, \(name) (\(body.count / 1024) KiB)", iterations: 50) {
                _ = try? JSONValue(parsing: body)
            }
        }
        let small = Array(
            #"{"model":"gpt-4o-mini","stream":true,"max_tokens":64,"messages":[{"role":"user","content":"hi"}]}"#.utf8
        )
        measure("scan small body", iterations: 100_000) { _ = try? RequestBodyFields(scanning: small) }
        measure("parse small body", iterations: 100_000) { _ = try? JSONValue(parsing: small) }
    }
}

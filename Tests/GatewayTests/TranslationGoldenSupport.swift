import Foundation
import Gateway
import Testing

/// Golden files for the translators (style.md rule 10): `Fixtures/<kind>/<api>/<case>.<ext>`
/// produces `<case>.<from>-<to>[-streaming].golden` next to it, holding the translated output and
/// the extracted usage. The translators take their clock value and id seed as arguments
/// (`goldenContext`), so goldens need no filtering.
///
/// `TOLLGATE_REGENERATE_GOLDENS=1 swift test --filter Translation` rewrites every golden instead
/// of comparing; review the diff before committing it.
enum Golden {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var regenerating: Bool {
        ProcessInfo.processInfo.environment["TOLLGATE_REGENERATE_GOLDENS"] == "1"
    }

    /// The fixture files of one folder, by name.
    static func cases(_ folder: String, extension ext: String) -> [String] {
        let directory = fixtures.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix("." + ext) }.map { folder + "/" + $0 }.sorted()
    }

    static func read(_ fixture: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent(fixture)))
    }

    /// `folder/case.ext` → `folder/case.<suffix>.golden`.
    static func goldenPath(for fixture: String, suffix: String) -> String {
        let base = (fixture as NSString).deletingPathExtension
        return "\(base).\(suffix).golden"
    }

    /// Compares `actual` with the golden file, or writes it when regenerating.
    static func check(
        _ actual: String,
        fixture: String,
        suffix: String,
        sourceLocation: SourceLocation = #_sourceLocation
    )
        throws
    {
        let path = goldenPath(for: fixture, suffix: suffix)
        let url = fixtures.appendingPathComponent(path)
        if regenerating {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing \(path): run with TOLLGATE_REGENERATE_GOLDENS=1", sourceLocation: sourceLocation)
            return
        }
        if actual != expected {
            Issue.record("\(path) differs:\n\(firstDifference(expected, actual))", sourceLocation: sourceLocation)
        }
    }

    /// The first line that differs, for a readable failure.
    static func firstDifference(_ expected: String, _ actual: String) -> String {
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(expectedLines.count, actualLines.count) {
            let left = index < expectedLines.count ? String(expectedLines[index]) : "<end>"
            let right = index < actualLines.count ? String(actualLines[index]) : "<end>"
            if left != right { return "line \(index + 1)\n  expected: \(left)\n  actual:   \(right)" }
        }
        return "(same lines, different bytes)"
    }

    /// A JSON body pretty-printed with its key order kept, or as text when it is not JSON.
    static func pretty(_ body: [UInt8]) -> String {
        guard let json = try? JSONValue(parsing: body) else { return String(decoding: body, as: UTF8.self) }
        return json.prettyPrinted
    }

    static func describe(_ usage: TokenUsage?) -> String {
        usage.map(\.description) ?? "none"
    }

    static func describe(_ outcome: StreamOutcome) -> String {
        switch outcome {
        case .inProgress: "in progress"
        case .completed: "completed"
        case .failed(let failure):
            switch failure {
            case .upstreamError(let type, let message): "failed: upstream error \(type): \(message)"
            case .truncated: "failed: truncated"
            case .malformed(let detail): "failed: malformed: \(detail)"
            case .eventTooLarge: "failed: event too large"
            }
        }
    }
}

extension Golden {
    /// Feeds the stream fixture to a fresh translator in every chunking, requires identical
    /// results, and checks the golden: the client's bytes, the usage and the outcome.
    static func checkStream(
        _ fixture: String,
        suffix: String,
        make: () -> any ResponseStreamTranslator,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let input = try read(fixture)
        let reference = StreamRun(make, input: input, chunking: .whole)
        for chunking in Chunking.all.dropFirst() {
            let run = StreamRun(make, input: input, chunking: chunking)
            #expect(
                run == reference,
                "\(fixture) fed \(chunking) differs from fed whole",
                sourceLocation: sourceLocation
            )
        }
        let text = """
            --- output
            \(String(decoding: reference.output, as: UTF8.self))--- usage
            \(describe(reference.usage))
            --- outcome
            \(describe(reference.outcome)), content emitted: \(reference.emittedContent)

            """
        try check(text, fixture: fixture, suffix: suffix, sourceLocation: sourceLocation)
    }
}

/// The fixed context every golden is produced with.
let goldenContext = ResponseTranslationContext(created: 1_700_000_000, includeUsage: true, idSeed: "req-golden")

/// A small deterministic generator (SplitMix64), so random chunkings are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `bytes` cut into chunks: whole, byte by byte, or at random sizes from a seed.
enum Chunking: CustomStringConvertible {
    case whole
    case byteByByte
    case random(seed: UInt64, maxSize: Int)

    func chunks(of bytes: [UInt8]) -> [[UInt8]] {
        switch self {
        case .whole:
            return [bytes]
        case .byteByByte:
            return bytes.map { [$0] }
        case .random(let seed, let maxSize):
            var generator = SeededGenerator(seed: seed)
            var result: [[UInt8]] = []
            var index = 0
            while index < bytes.count {
                // Empty chunks too: Envoy can send a DATA frame with no bytes.
                let size = Int.random(in: 0...maxSize, using: &generator)
                let end = min(bytes.count, index + size)
                result.append(Array(bytes[index..<end]))
                index = end
            }
            return result
        }
    }

    var description: String {
        switch self {
        case .whole: "whole"
        case .byteByByte: "byte by byte"
        case .random(let seed, let maxSize): "random (seed \(seed), up to \(maxSize))"
        }
    }

    static let all: [Chunking] = [
        .whole, .byteByByte, .random(seed: 1, maxSize: 7), .random(seed: 2, maxSize: 64),
        .random(seed: 3, maxSize: 512),
    ]
}

/// What a stream translator produced for one way of feeding it.
struct StreamRun: Equatable {
    var output: [UInt8]
    var usage: TokenUsage
    var outcome: StreamOutcome
    var emittedContent: Bool

    init(_ make: () -> any ResponseStreamTranslator, input: [UInt8], chunking: Chunking) {
        var translator = make()
        var output: [UInt8] = []
        for chunk in chunking.chunks(of: input) {
            output.append(contentsOf: translator.feed(chunk))
        }
        output.append(contentsOf: translator.finish())
        // Nothing after the end.
        output.append(contentsOf: translator.feed(Array("data: late\n\n".utf8)))
        output.append(contentsOf: translator.finish())
        self.output = output
        usage = translator.usage
        outcome = translator.outcome
        emittedContent = translator.hasEmittedContent
    }
}

/// Which of the keys the OpenAI stream watch acts on appear in one chunk's data, found in a
/// single pass over its bytes, so that chunks after the first content are never parsed:
/// `"usage"`, `"error"`, and a `"finish_reason"` followed by a string rather than `null`.
///
/// A sighting is a hint, not a parse: a string value spelling `"usage"` counts as well, so the
/// caller confirms with a scan of the root members before acting on it. A key written with
/// escapes (`"\u0075sage"`) is not seen; no provider writes keys that way.
struct OpenAIChunkKeys {
    private(set) var usage = false
    private(set) var error = false
    private(set) var finishReasonString = false

    init(in data: [UInt8]) {
        var index = 0
        while index < data.count {
            defer { index += 1 }
            guard data[index] == ASCII.quote, index + 1 < data.count else { continue }
            switch data[index + 1] {
            case Self.usageKey[1]:
                if Self.matches(Self.usageKey, at: index, in: data) { usage = true }
            case Self.errorKey[1]:
                if Self.matches(Self.errorKey, at: index, in: data) { error = true }
            case Self.finishReasonKey[1]:
                if Self.matches(Self.finishReasonKey, at: index, in: data),
                    Self.stringFollows(data, from: index + Self.finishReasonKey.count)
                {
                    finishReasonString = true
                }
            default:
                break
            }
        }
    }

    private static let usageKey = Array("\"usage\"".utf8)
    private static let errorKey = Array("\"error\"".utf8)
    private static let finishReasonKey = Array("\"finish_reason\"".utf8)

    private static func matches(_ key: [UInt8], at start: Int, in data: [UInt8]) -> Bool {
        guard start + key.count <= data.count else { return false }
        for offset in 1..<key.count where data[start + offset] != key[offset] {
            return false
        }
        return true
    }

    /// Whether the value after a key (past the colon and any spaces) opens a string.
    private static func stringFollows(_ data: [UInt8], from start: Int) -> Bool {
        var index = start
        while index < data.count, data[index] == ASCII.space || data[index] == ASCII.colon {
            index += 1
        }
        return index < data.count && data[index] == ASCII.quote
    }
}

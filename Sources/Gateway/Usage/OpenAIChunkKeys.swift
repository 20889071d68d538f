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
        while let quote = data[index...].firstIndex(of: ASCII.quote) {
            index = quote + 1
            guard index < data.count else { break }
            // Compared against literals rather than stored arrays: this loop sees every chunk.
            switch data[index] {
            case UInt8(ascii: "u"):
                if Self.end(of: #"usage""#, at: index, in: data) != nil { usage = true }
            case UInt8(ascii: "e"):
                if Self.end(of: #"error""#, at: index, in: data) != nil { error = true }
            case UInt8(ascii: "f"):
                if let end = Self.end(of: #"finish_reason""#, at: index, in: data), Self.stringFollows(data, from: end)
                {
                    finishReasonString = true
                }
            default:
                break
            }
        }
    }

    /// Where `rest` (a key's letters and its closing quote) ends, if `data` holds it from `start`.
    private static func end(of rest: StaticString, at start: Int, in data: [UInt8]) -> Int? {
        rest.withUTF8Buffer { rest in
            let end = start + rest.count
            return end <= data.count && data[start..<end].elementsEqual(rest) ? end : nil
        }
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

/// A base64 `data:` URL (RFC 2397), the form OpenAI's API takes inline images and files in:
/// `data:image/png;base64,iVBORw0…`. Anthropic takes the same payload as a `base64` source with
/// the media type apart, so translation splits and joins them without decoding the data.
struct DataURL: Sendable, Hashable {
    var mediaType: String
    var base64Data: String

    /// Parses `text`; nil when it is not a `data:` URL with a media type and `;base64`.
    init?(_ text: String) {
        guard text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") else { return nil }
        let header = text[text.index(text.startIndex, offsetBy: 5)..<comma]
        var parameters = header.split(separator: ";", omittingEmptySubsequences: false)
        guard parameters.count >= 2, parameters.removeLast().lowercased() == "base64" else { return nil }
        let mediaType = parameters[0].trimmingWhitespace()
        guard !mediaType.isEmpty else { return nil }
        self.mediaType = String(mediaType).lowercased()
        base64Data = String(text[text.index(after: comma)...])
    }

    init(mediaType: String, base64Data: String) {
        self.mediaType = mediaType
        self.base64Data = base64Data
    }

    var text: String {
        "data:\(mediaType);base64,\(base64Data)"
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> SubSequence {
        var start = startIndex
        var end = endIndex
        while start < end, self[start].isWhitespace { start = index(after: start) }
        while end > start, self[index(before: end)].isWhitespace { end = index(before: end) }
        return self[start..<end]
    }
}

/// Whether `text` is an absolute http or https URL, the only remote images Anthropic fetches.
func isHTTPURL(_ text: String) -> Bool {
    let lower = text.prefix(8).lowercased()
    return lower.hasPrefix("https://") || lower.hasPrefix("http://")
}

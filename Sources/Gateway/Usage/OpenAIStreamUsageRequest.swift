/// Makes a streamed OpenAI chat completions request ask for the final usage chunk
/// (`stream_options.include_usage: true`), so the gateway always learns a stream's usage, and
/// remembers whether the client asked for it itself, so the chunk can be kept from a client who
/// did not (`OpenAIPassthroughStream`).
///
/// The body is edited in place with the scanner's byte ranges: every other byte is the client's.
public enum OpenAIStreamUsageRequest {
    /// The edited body, and whether the client had already asked for usage.
    public struct Result: Sendable, Hashable {
        public var body: [UInt8]
        public var clientAskedForUsage: Bool
    }

    /// Sets `stream_options.include_usage` to true in `body`, a JSON object: inserts
    /// `stream_options` when absent (or `null`), adds or replaces `include_usage` in it otherwise.
    /// A body that already asks is returned unchanged. Call it for streamed requests only:
    /// OpenAI refuses `stream_options` without `stream: true`.
    public static func requestingUsage(in body: [UInt8]) throws(JSONScanError) -> Result {
        var streamOptions: JSONMember?
        var firstMemberStart: Int?
        try JSONScanner.forEachRootMember(in: body) { member in
            if firstMemberStart == nil { firstMemberStart = member.keyRange.lowerBound - 1 }
            if member.key(in: body, equals: "stream_options") { streamOptions = member }
        }
        if let member = streamOptions, member.valueKind == .object {
            var options = (try? JSONValue(parsing: Array(body[member.valueRange])))?.objectValue ?? JSONObject()
            if options["include_usage"]?.boolValue == true {
                return Result(body: body, clientAskedForUsage: true)
            }
            options["include_usage"] = .bool(true)
            return Result(
                body: splice(JSONValue.object(options).serialized, over: member.valueRange, in: body),
                clientAskedForUsage: false
            )
        }
        if let member = streamOptions, member.valueKind == .null {
            return Result(
                body: splice(includeUsageObject, over: member.valueRange, in: body),
                clientAskedForUsage: false
            )
        }
        if streamOptions != nil {
            // Not an object: the provider will refuse the request as the client wrote it.
            return Result(body: body, clientAskedForUsage: false)
        }
        // Insert as the first member, right after the opening brace.
        guard let brace = body.firstIndex(of: UInt8(ascii: "{")) else {
            return Result(body: body, clientAskedForUsage: false)
        }
        var inserted = Array("\"stream_options\":".utf8) + includeUsageObject
        if firstMemberStart != nil { inserted.append(UInt8(ascii: ",")) }
        return Result(body: splice(inserted, over: (brace + 1)..<(brace + 1), in: body), clientAskedForUsage: false)
    }

    private static let includeUsageObject = Array(#"{"include_usage":true}"#.utf8)

    private static func splice(_ bytes: [UInt8], over range: Range<Int>, in body: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(body.count - range.count + bytes.count)
        result.append(contentsOf: body[..<range.lowerBound])
        result.append(contentsOf: bytes)
        result.append(contentsOf: body[range.upperBound...])
        return result
    }
}

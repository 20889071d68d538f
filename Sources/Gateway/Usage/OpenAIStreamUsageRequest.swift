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

    /// Sets `stream_options.include_usage` to true in `body`, a JSON object scanned into `fields`:
    /// inserts `stream_options` when absent (or `null`), adds or replaces `include_usage` in it
    /// otherwise. A body that already asks is returned unchanged. `model`, when given, is a value
    /// to replace in the same copy (the backend's model name), so a passthrough request is scanned
    /// once and copied once. Call it for streamed requests only: OpenAI refuses `stream_options`
    /// without `stream: true`.
    public static func requestingUsage(
        in body: [UInt8],
        fields: RequestBodyFields,
        replacingModel model: (range: Range<Int>, name: String)? = nil
    ) -> Result {
        let streamOptions = fields.streamOptions
        var splices = JSONSplices()
        if let model { splices.replace(model.range, withString: model.name) }
        var clientAskedForUsage = false
        if let member = streamOptions, member.valueKind == .object {
            var options = (try? JSONValue(parsing: Array(body[member.valueRange])))?.objectValue ?? JSONObject()
            if options["include_usage"]?.boolValue == true {
                clientAskedForUsage = true
            } else {
                options["include_usage"] = .bool(true)
                splices.replace(member.valueRange, with: JSONValue.object(options).serialized)
            }
        } else if let member = streamOptions, member.valueKind == .null {
            splices.replace(member.valueRange, with: includeUsageObject)
        } else if streamOptions == nil, let brace = body.firstIndex(of: UInt8(ascii: "{")) {
            // Inserted as the first member, right after the opening brace.
            var inserted = Array(#""stream_options":"#.utf8) + includeUsageObject
            if fields.memberCount > 0 { inserted.append(UInt8(ascii: ",")) }
            splices.replace((brace + 1)..<(brace + 1), with: inserted)
        }
        // A `stream_options` that is not an object: the provider refuses the request as written.
        return Result(body: splices.applied(to: body), clientAskedForUsage: clientAskedForUsage)
    }

    private static let includeUsageObject = Array(#"{"include_usage":true}"#.utf8)
}

/// Makes a streamed OpenAI chat completions request ask for the final usage chunk
/// (`stream_options.include_usage: true`), so the gateway always learns a stream's usage, and
/// remembers whether the client asked for it itself, so the chunk can be kept from a client who
/// did not (`OpenAIPassthroughStream`).
///
/// The body is edited with the scanner's byte ranges (`JSONSplices`): every other byte is the client's.
public enum OpenAIStreamUsageRequest {
    /// Adds to `splices` what sets `stream_options.include_usage` to true in `body`, a JSON
    /// object scanned into `fields`: `stream_options` inserted when absent (or `null`),
    /// `include_usage` added or replaced in it otherwise; nothing when the body already asks.
    /// Returns whether it did (the client asked for usage itself). Call it for streamed requests
    /// only: OpenAI refuses `stream_options` without `stream: true`.
    public static func requestUsage(
        in body: [UInt8],
        fields: RequestBodyFields,
        into splices: inout JSONSplices
    ) -> Bool {
        switch fields.streamOptions {
        case let member? where member.valueKind == .object:
            var options = (try? JSONValue(parsing: Array(body[member.valueRange])))?.objectValue ?? JSONObject()
            if options["include_usage"]?.boolValue == true { return true }
            options["include_usage"] = .bool(true)
            splices.replace(member.valueRange, with: JSONValue.object(options).serialized)
        case let member? where member.valueKind == .null:
            splices.replace(member.valueRange, with: includeUsageObject)
        case .some:
            // Not an object: the provider refuses the request as the client wrote it.
            break
        case nil:
            // Inserted as the first member, right after the opening brace.
            guard let brace = body.firstIndex(of: UInt8(ascii: "{")) else { break }
            var inserted = Array(#""stream_options":"#.utf8) + includeUsageObject
            if fields.memberCount > 0 { inserted.append(UInt8(ascii: ",")) }
            splices.replace((brace + 1)..<(brace + 1), with: inserted)
        }
        return false
    }

    private static let includeUsageObject = Array(#"{"include_usage":true}"#.utf8)
}

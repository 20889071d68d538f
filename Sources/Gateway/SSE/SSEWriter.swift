/// Writes server-sent events in the form the providers use: `event: name` (if any), one
/// `data: ` line per line of data, then a blank line; LF line endings.
public enum SSEWriter {
    /// Appends one event. LFs in `data` start new `data:` lines, so any text round-trips through
    /// `SSEParser`; CR is not expected in JSON data and is written as is.
    public static func appendEvent(name: String? = nil, data: some Collection<UInt8>, to output: inout [UInt8]) {
        if let name {
            output.append(contentsOf: "event: ".utf8)
            output.append(contentsOf: name.utf8)
            output.append(ASCII.newline)
        }
        output.append(contentsOf: "data: ".utf8)
        var lineStart = data.startIndex
        while let newline = data[lineStart...].firstIndex(of: ASCII.newline) {
            output.append(contentsOf: data[lineStart...newline])
            output.append(contentsOf: "data: ".utf8)
            lineStart = data.index(after: newline)
        }
        output.append(contentsOf: data[lineStart...])
        output.append(ASCII.newline)
        output.append(ASCII.newline)
    }

    /// Appends one event whose data is `json`, serialised compactly (one line).
    public static func appendEvent(name: String? = nil, json: JSONValue, to output: inout [UInt8]) {
        appendEvent(name: name, writingJSON: json.write, to: &output)
    }

    /// Appends one event whose data `writeJSON` writes in place: compact JSON, one line.
    public static func appendEvent(
        name: String? = nil,
        writingJSON writeJSON: (inout [UInt8]) -> Void,
        to output: inout [UInt8]
    ) {
        if let name {
            output.append(contentsOf: "event: ".utf8)
            output.append(contentsOf: name.utf8)
            output.append(ASCII.newline)
        }
        output.append(contentsOf: "data: ".utf8)
        writeJSON(&output)
        output.append(ASCII.newline)
        output.append(ASCII.newline)
    }

    /// Appends `event` as received: its name, id, retry and data.
    public static func append(_ event: SSEEvent, to output: inout [UInt8]) {
        if let id = event.id {
            output.append(contentsOf: "id: ".utf8)
            output.append(contentsOf: id.utf8)
            output.append(ASCII.newline)
        }
        if let retry = event.retry {
            output.append(contentsOf: "retry: ".utf8)
            output.append(contentsOf: String(retry).utf8)
            output.append(ASCII.newline)
        }
        appendEvent(name: event.name, data: event.data, to: &output)
    }

    /// OpenAI's end of stream: `data: [DONE]`.
    public static func appendDone(to output: inout [UInt8]) {
        output.append(contentsOf: "data: [DONE]\n\n".utf8)
    }
}

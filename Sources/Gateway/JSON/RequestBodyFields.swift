/// The top-level fields of an OpenAI- or Anthropic-style request body that the gateway routes on,
/// read by `JSONScanner` without parsing the rest.
public struct RequestBodyFields: Sendable, Hashable {
    /// `model` when it is a string, escapes decoded.
    public var model: String?
    /// Where `model`'s value sits in the body, whatever its type (quotes included for a string):
    /// what the upstream phase replaces with the provider's model name.
    public var modelValueRange: Range<Int>?
    /// `stream` when it is `true` or `false`; nil when absent or of another type.
    public var stream: Bool?
    /// The output cap the client set (`max_tokens`, `max_completion_tokens` or `max_output_tokens`,
    /// the largest when several are), for the rate limiter's reservation; nil when none is set.
    public var maxTokens: Int?
    /// The last `stream_options` member, whatever its value: where a stream's request for usage
    /// goes (`OpenAIStreamUsageRequest`), without scanning the body again.
    public var streamOptions: JSONMember?
    /// How many members the root object has.
    public var memberCount = 0

    public init(model: String? = nil, modelValueRange: Range<Int>? = nil, stream: Bool? = nil, maxTokens: Int? = nil) {
        self.model = model
        self.modelValueRange = modelValueRange
        self.stream = stream
        self.maxTokens = maxTokens
    }

    /// Scans `body`, which must be one valid JSON object. A second top-level `model` or `stream`
    /// is rejected: parsers disagree on which one wins, and the gateway must check the value the
    /// provider will use.
    public init(scanning body: [UInt8]) throws(JSONScanError) {
        var fields = RequestBodyFields()
        var sawStream = false
        try JSONScanner.forEachRootMember(in: body) { (member) throws(JSONScanError) in
            fields.memberCount += 1
            // Cheap filter first: the raw keys read here are 5, 6, 10, 14, 17 or 21 bytes, unless escaped.
            switch member.keyRange.count {
            case 5, 6, 10, 14, 17, 21: break
            default: guard member.keyHasEscapes else { return }
            }
            if let limit = RateLimitDemand.outputLimit(of: member, in: body) {
                fields.maxTokens = max(fields.maxTokens ?? 0, limit)
            } else if member.key(in: body, equals: "model") {
                guard fields.modelValueRange == nil else {
                    throw JSONScanError(.duplicateKey("model"), at: member.keyRange.lowerBound - 1)
                }
                fields.modelValueRange = member.valueRange
                fields.model = member.stringValue(in: body)
            } else if member.key(in: body, equals: "stream") {
                guard !sawStream else {
                    throw JSONScanError(.duplicateKey("stream"), at: member.keyRange.lowerBound - 1)
                }
                sawStream = true
                fields.stream = member.boolValue(in: body)
            } else if member.key(in: body, equals: "stream_options") {
                fields.streamOptions = member
            }
        }
        self = fields
    }
}

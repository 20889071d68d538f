/// What a request may consume, as known when its body is read: the estimated prompt tokens and
/// the most output it allows (`max_tokens`, `max_completion_tokens` or `max_output_tokens`, else
/// the configured default). A reservation holds `inputTokens + maxOutputTokens` against token
/// limits and the most that can cost against budgets.
public struct RateLimitDemand: Sendable, Hashable {
    public var inputTokens: Int
    public var maxOutputTokens: Int

    public init(inputTokens: Int, maxOutputTokens: Int) {
        self.inputTokens = max(0, inputTokens)
        self.maxOutputTokens = max(0, maxOutputTokens)
    }

    /// The demand of `body`: its estimated input (`InputTokenEstimator`) plus `maxTokens`, or
    /// `defaultMaxTokens` when the client set none.
    public init(body: [UInt8], maxTokens: Int?, defaultMaxTokens: Int) {
        self.init(
            inputTokens: InputTokenEstimator.estimate(body: body),
            maxOutputTokens: maxTokens ?? defaultMaxTokens
        )
    }

    public var totalTokens: Int {
        let (sum, overflow) = inputTokens.addingReportingOverflow(maxOutputTokens)
        return overflow ? Int.max : sum
    }

    /// The output cap a root member sets: the integer value of `max_tokens`,
    /// `max_completion_tokens` or `max_output_tokens`; nil for any other member or a value that
    /// is not a non-negative integer. Read in the scan the router already makes (`RequestBodyFields`).
    public static func outputLimit(of member: JSONMember, in body: [UInt8]) -> Int? {
        guard member.valueKind == .number else { return nil }
        guard
            member.key(in: body, equals: "max_tokens") || member.key(in: body, equals: "max_completion_tokens")
                || member.key(in: body, equals: "max_output_tokens")
        else {
            return nil
        }
        var value = 0
        for byte in body[member.valueRange] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return Int.max }
            value = next
        }
        return value
    }
}

/// The input-token estimate of a request body, for reservations: no tokenizer is available, and
/// settlement replaces the estimate with the provider's count anyway.
///
/// The rule: one token per 4 bytes of the body, rounded up, which is the usual figure for English
/// text and JSON. Bodies of 32 KiB or more are scanned once for base64 payloads (runs of at least
/// 1 KiB of `A-Z a-z 0-9 + / =`, as images and documents are sent), which count one token per 32
/// bytes instead: a 1 MB image is about 1 500 tokens to a provider, not 250 000, and counting it
/// as text would refuse it outright under a modest `tokens_per_minute`.
///
/// Where it errs: JSON keys, roles and escapes make most bodies overestimate, which only holds
/// more than needed until settlement. Dense non-Latin text (3-byte UTF-8 characters of about one
/// token each) and PDFs heavy with text can underestimate; what the provider then reports beyond
/// the reservation is charged at settlement and is part of the overshoot the README states.
public enum InputTokenEstimator {
    public static let bytesPerToken = 4
    public static let base64BytesPerToken = 32
    /// Bodies below this are not scanned: `count / 4` costs nothing, a scan costs a pass.
    public static let scanThreshold = 32 * 1024
    /// Shorter runs of base64 characters are ordinary text (words, identifiers, numbers).
    public static let minimumBase64Run = 1024

    public static func estimate(body: [UInt8]) -> Int {
        estimate(byteCount: body.count, base64Bytes: body.count >= scanThreshold ? base64Bytes(in: body) : 0)
    }

    static func estimate(byteCount: Int, base64Bytes: Int) -> Int {
        let text = byteCount - base64Bytes
        return (text + bytesPerToken - 1) / bytesPerToken + (base64Bytes + base64BytesPerToken - 1)
            / base64BytesPerToken
    }

    /// Bytes in runs of at least `minimumBase64Run` base64 characters.
    static func base64Bytes(in body: [UInt8]) -> Int {
        var total = 0
        var run = 0
        let table = isBase64
        for byte in body {
            if table[Int(byte)] {
                run += 1
            } else {
                if run >= minimumBase64Run { total += run }
                run = 0
            }
        }
        if run >= minimumBase64Run { total += run }
        return total
    }

    private static let isBase64: [Bool] = (0..<256).map { value in
        let byte = UInt8(value)
        return (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
    }
}

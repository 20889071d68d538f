/// Replacements of byte ranges in a scanned body (a value's range, or an empty range to insert
/// at), applied in one copy: every other byte stays the client's.
public struct JSONSplices {
    private var splices: [(range: Range<Int>, bytes: [UInt8])] = []

    public init() {}

    public mutating func replace(_ range: Range<Int>, with bytes: [UInt8]) {
        splices.append((range, bytes))
    }

    /// The value at `range` becomes `value` as a JSON string.
    public mutating func replace(_ range: Range<Int>, withString value: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(JSONWriter.encodedLength(of: value))
        JSONWriter.appendString(value, to: &bytes)
        replace(range, with: bytes)
    }

    /// `body` with every splice made, in order of position; `body` itself (not a copy) when there
    /// is none. The ranges must not overlap.
    public func applied(to body: [UInt8]) -> [UInt8] {
        guard !splices.isEmpty else { return body }
        let ordered = splices.sorted { $0.range.lowerBound < $1.range.lowerBound }
        var result: [UInt8] = []
        result.reserveCapacity(body.count + ordered.reduce(0) { $0 + $1.bytes.count - $1.range.count })
        var copied = 0
        for splice in ordered {
            result.append(contentsOf: body[copied..<splice.range.lowerBound])
            result.append(contentsOf: splice.bytes)
            copied = splice.range.upperBound
        }
        result.append(contentsOf: body[copied...])
        return result
    }
}

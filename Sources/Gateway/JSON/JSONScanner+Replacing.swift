extension JSONScanner {
    /// A copy of `bytes` with the value at `range` replaced by `value` as a JSON string; every
    /// other byte is kept exactly, so the provider sees the client's body except for that value.
    /// One allocation of the final size.
    public static func replacing(_ range: Range<Int>, in bytes: [UInt8], withString value: String) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count - range.count + JSONWriter.encodedLength(of: value))
        result.append(contentsOf: bytes[..<range.lowerBound])
        JSONWriter.appendString(value, to: &result)
        result.append(contentsOf: bytes[range.upperBound...])
        return result
    }
}

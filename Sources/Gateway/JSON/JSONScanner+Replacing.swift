extension JSONScanner {
    /// A copy of `bytes` with the value at `range` replaced by `value` as a JSON string; every
    /// other byte is kept exactly, so the provider sees the client's body except for that value.
    /// One allocation of the final size.
    public static func replacing(_ range: Range<Int>, in bytes: [UInt8], withString value: String) -> [UInt8] {
        var splices = JSONSplices()
        splices.replace(range, withString: value)
        return splices.applied(to: bytes)
    }
}

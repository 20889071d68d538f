/// Names one request's state in the `RequestStore`; travels from the router phase to the upstream
/// phase in the `x-tollgate-request` header as 16 lowercase hex digits.
///
/// Ids are a process-wide counter from a random start (`RequestStore.makeID`), so they are unique
/// without a syscall per request. They need not be secret: the router phase overwrites any
/// `x-tollgate-request` a client sends, and the upstream phase removes it before the provider.
public struct RequestID: Sendable, Hashable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) {
        self.value = value
    }

    /// Parses exactly 16 hex digits (either case).
    public init?(header: some Collection<UInt8>) {
        guard header.count == 16 else { return nil }
        var value: UInt64 = 0
        for byte in header {
            guard let digit = hexValue(byte) else { return nil }
            value = value << 4 | UInt64(digit)
        }
        self.value = value
    }

    /// The header value: 16 lowercase hex digits.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8](repeating: 0, count: 16)
        var remaining = value
        for position in (0..<16).reversed() {
            text[position] = digits[Int(remaining & 0x0F)]
            remaining >>= 4
        }
        return String(decoding: text, as: UTF8.self)
    }
}

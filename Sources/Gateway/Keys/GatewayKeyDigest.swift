import Crypto

/// SHA-256 of gateway keys, its hex form for the config file, and the constant-time comparison.
///
/// Keys are stored only as digests. A presented key is hashed first, so its length and content never
/// steer a comparison; the comparison of digests then looks at every byte (no early exit), so its
/// timing does not tell how many leading bytes matched.
public enum GatewayKeyDigest {
    /// Length of a SHA-256 digest in bytes.
    public static let byteCount = 32

    public static func sha256(_ key: some Collection<UInt8>) -> [UInt8] {
        let digest =
            key.withContiguousStorageIfAvailable { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
            ?? SHA256.hash(data: Array(key))
        return Array(digest)
    }

    public static func sha256(_ key: String) -> [UInt8] {
        sha256(Array(key.utf8))
    }

    /// Lowercase hex, as written in the config file's `sha256:`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The 32 bytes of a 64-digit hex digest (either case), or nil.
    public static func digest(hex text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count == byteCount * 2 else {
            return nil
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        var index = 0
        while index < characters.count {
            guard let high = nibble(characters[index]), let low = nibble(characters[index + 1]) else {
                return nil
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// Whether two byte strings are equal, looking at every byte of equal-length inputs.
    /// Lengths are not secret here (digests are always 32 bytes), so unequal lengths return at once.
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else {
            return false
        }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

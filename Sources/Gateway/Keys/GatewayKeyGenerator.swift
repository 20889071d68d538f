/// Fresh gateway keys: `tg-` followed by 32 random bytes in base62 (43 characters).
///
/// Base62 keeps the key to letters and digits, so it survives copy and paste, shells and headers.
/// The randomness comes from the generator passed in; `SystemRandomNumberGenerator` reads the
/// kernel's CSPRNG (getrandom on Linux).
public enum GatewayKeyGenerator {
    public static let prefix = "tg-"
    public static let randomByteCount = 32
    /// ceil(256 / log2(62)).
    public static let encodedLength = 43

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    public static func generate(using generator: inout some RandomNumberGenerator) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(randomByteCount)
        while bytes.count < randomByteCount {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return prefix + base62(Array(bytes.prefix(randomByteCount)), length: encodedLength)
    }

    /// The big-endian number in `bytes`, in base62, left-padded with `0` to `length` digits.
    static func base62(_ bytes: [UInt8], length: Int) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        var number = bytes
        var digits: [UInt8] = []
        // Long division by 62, most significant byte first, until the number is zero.
        while number.contains(where: { $0 != 0 }) {
            var remainder = 0
            for index in number.indices {
                let value = remainder * 256 + Int(number[index])
                number[index] = UInt8(value / 62)
                remainder = value % 62
            }
            digits.append(alphabet[remainder])
        }
        while digits.count < length {
            digits.append(alphabet[0])
        }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }
}

import Gateway
import Testing

@testable import Gateway

@Suite struct KeysGeneratorTests {
    private static let alphabet = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    @Test func keysHaveThePrefixAndFortyThreeBase62Digits() {
        for _ in 0..<50 {
            let key = GatewayKeyGenerator.generate()
            #expect(key.hasPrefix("tg-"))
            #expect(key.count == 3 + 43)
            #expect(key.dropFirst(3).allSatisfy { Self.alphabet.contains($0) })
        }
    }

    @Test func keysAreDistinct() {
        let keys = Set((0..<1000).map { _ in GatewayKeyGenerator.generate() })
        #expect(keys.count == 1000)
    }

    @Test func base62Vectors() {
        #expect(
            GatewayKeyGenerator.base62(Array(repeating: 0, count: 32), length: 43) == String(repeating: "0", count: 43)
        )
        #expect(GatewayKeyGenerator.base62(Array(repeating: 0, count: 31) + [61], length: 43).hasSuffix("0z"))
        #expect(GatewayKeyGenerator.base62(Array(repeating: 0, count: 31) + [62], length: 43).hasSuffix("010"))
        // 2^256 - 1, computed independently.
        #expect(
            GatewayKeyGenerator.base62(Array(repeating: 0xFF, count: 32), length: 43)
                == "yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp1"
        )
        #expect(
            GatewayKeyGenerator.base62((0..<32).map(UInt8.init), length: 43)
                == "003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf"
        )
    }

    @Test func theGeneratorsBytesDecideTheKey() {
        var zeros = FixedGenerator(value: 0)
        #expect(GatewayKeyGenerator.generate(using: &zeros) == "tg-" + String(repeating: "0", count: 43))
        var ones = FixedGenerator(value: .max)
        #expect(GatewayKeyGenerator.generate(using: &ones) == "tg-yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp1")
    }

    @Test func aGeneratedKeyIsFoundByItsDigest() {
        let key = GatewayKeyGenerator.generate()
        let table = GatewayKeyTable([GatewayKeyConfig(name: "fresh", sha256: GatewayKeyDigest.sha256(key))])
        #expect(table.key(presented: key)?.name == "fresh")
    }
}

private struct FixedGenerator: RandomNumberGenerator {
    var value: UInt64

    mutating func next() -> UInt64 {
        value
    }
}

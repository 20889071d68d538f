import Gateway
import Testing

@Suite struct KeysDigestTests {
    /// FIPS 180-2 / NIST vectors, plus the contract's example (`test`) and a long input.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        ("test", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
        (String(repeating: "a", count: 1000), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"),
    ])
    func sha256Vectors(input: String, hex: String) {
        #expect(GatewayKeyDigest.hex(GatewayKeyDigest.sha256(input)) == hex)
        // The byte forms agree with the string form, also for a slice that is not at index 0.
        let bytes = Array(("Bearer " + input).utf8)
        #expect(GatewayKeyDigest.sha256(bytes.dropFirst(7)) == GatewayKeyDigest.sha256(input))
        #expect(GatewayKeyDigest.sha256(input.utf8) == GatewayKeyDigest.sha256(input))
    }

    @Test func hexRoundTripsInEitherCase() throws {
        let digest = GatewayKeyDigest.sha256("abc")
        let hex = GatewayKeyDigest.hex(digest)
        #expect(GatewayKeyDigest.digest(hex: hex) == digest)
        #expect(GatewayKeyDigest.digest(hex: hex.uppercased()) == digest)
        #expect(try #require(GatewayKeyDigest.digest(hex: hex)).count == 32)
    }

    @Test(arguments: [
        "",
        "abc",
        String(repeating: "0", count: 63),
        String(repeating: "0", count: 65),
        String(repeating: "g", count: 64),
        String(repeating: "0", count: 62) + " 0",
        String(repeating: "é", count: 32),
    ])
    func badHexIsRefused(text: String) {
        #expect(GatewayKeyDigest.digest(hex: text) == nil)
    }

    @Test func constantTimeEqualsComparesEveryByte() {
        let a: [UInt8] = Array(repeating: 7, count: 32)
        var lastDiffers = a
        lastDiffers[31] = 8
        var firstDiffers = a
        firstDiffers[0] = 8
        #expect(GatewayKeyDigest.constantTimeEquals(a, a))
        #expect(!GatewayKeyDigest.constantTimeEquals(a, lastDiffers))
        #expect(!GatewayKeyDigest.constantTimeEquals(a, firstDiffers))
        #expect(!GatewayKeyDigest.constantTimeEquals(a, Array(a.prefix(31))))
        #expect(GatewayKeyDigest.constantTimeEquals([], []))
    }
}

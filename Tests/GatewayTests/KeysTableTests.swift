import Gateway
import Testing

@Suite struct KeysTableTests {
    private static func key(_ name: String, secret: String, models: [String] = ["*"]) -> GatewayKeyConfig {
        GatewayKeyConfig(
            name: name,
            tenant: "t-\(name)",
            sha256: GatewayKeyDigest.sha256(secret),
            models: models.map(ModelPattern.init)
        )
    }

    private let table = GatewayKeyTable([
        key("first", secret: "tg-first-secret"),
        key("second", secret: "tg-second-secret"),
        key("third", secret: "tg-third-secret"),
    ])

    @Test func findsEachKeyByItsSecret() {
        #expect(table.key(presented: "tg-first-secret")?.name == "first")
        #expect(table.key(presented: "tg-second-secret")?.name == "second")
        #expect(table.key(presented: "tg-third-secret")?.name == "third")
        #expect(table.key(presented: "tg-third-secret")?.tenant == "t-third")
    }

    @Test(arguments: [
        "",
        "tg-first-secre",
        "tg-first-secret ",
        "tg-first-secreT",
        "TG-FIRST-SECRET",
        "tg-first-secret-and-much-longer-than-any-stored-key-0123456789",
        "x",
    ])
    func refusesEveryOtherKey(presented: String) {
        #expect(table.key(presented: presented) == nil)
    }

    @Test func acceptsBytesAndSlicesOfAHeader() {
        let header = Array("Bearer tg-second-secret".utf8)
        #expect(table.key(presented: header.dropFirst(7))?.name == "second")
        #expect(table.key(presented: Array("tg-second-secret".utf8))?.name == "second")
        #expect(table.key(presented: header) == nil)
    }

    @Test func aDigestDifferingOnlyInItsLastByteDoesNotMatch() {
        var digest = GatewayKeyDigest.sha256("tg-third-secret")
        #expect(table.key(digest: digest)?.name == "third")
        digest[31] ^= 1
        #expect(table.key(digest: digest) == nil)
        digest[31] ^= 1
        digest[0] ^= 0x80
        #expect(table.key(digest: digest) == nil)
        #expect(table.key(digest: Array(digest.prefix(31))) == nil)
    }

    @Test func anEmptyTableAndMalformedDigestsMatchNothing() {
        #expect(GatewayKeyTable([]).key(presented: "anything") == nil)
        let malformed = GatewayKeyConfig(name: "bad", sha256: [1, 2, 3])
        let table = GatewayKeyTable([malformed, Self.key("good", secret: "s")])
        #expect(table.keys.map(\.name) == ["good"])
        #expect(table.key(presented: "s")?.name == "good")
    }

    @Test func theLastOfManyKeysIsFound() {
        let keys = (0..<200).map { Self.key("k\($0)", secret: "secret-\($0)") }
        let table = GatewayKeyTable(keys)
        #expect(table.key(presented: "secret-199")?.name == "k199")
        #expect(table.key(presented: "secret-0")?.name == "k0")
        #expect(table.key(presented: "secret-200") == nil)
    }
}

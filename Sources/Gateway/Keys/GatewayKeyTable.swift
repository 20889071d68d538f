/// The gateway keys of one snapshot, looked up by the key a client presents.
///
/// Lookup hashes the presented key and compares the digest with every stored digest, always all of
/// them and every byte of each, combining the results without branching on them; so the time taken
/// depends only on the number of keys, not on which key matched or how close a guess came. A
/// dictionary keyed by digest would answer in time that depends on the hash table's probing.
public struct GatewayKeyTable: Sendable {
    public let keys: [GatewayKeyConfig]
    /// Every digest, concatenated: key `i` is bytes `32*i ..< 32*(i+1)`.
    private let digests: [UInt8]

    public init(_ keys: [GatewayKeyConfig]) {
        // A key whose digest is not 32 bytes can never match; the loader rejects such keys anyway.
        let usable = keys.filter { $0.sha256.count == GatewayKeyDigest.byteCount }
        self.keys = usable
        self.digests = usable.flatMap(\.sha256)
    }

    /// The key whose digest is SHA-256 of `presented`, or nil.
    public func key(presented: some Collection<UInt8>) -> GatewayKeyConfig? {
        key(digest: GatewayKeyDigest.sha256(presented))
    }

    public func key(presented: String) -> GatewayKeyConfig? {
        key(digest: GatewayKeyDigest.sha256(presented))
    }

    /// The key with this digest, compared in constant time against every key.
    public func key(digest: [UInt8]) -> GatewayKeyConfig? {
        guard digest.count == GatewayKeyDigest.byteCount else {
            return nil
        }
        let width = GatewayKeyDigest.byteCount
        // 1 + the index of the matching key, or 0. Digests are unique (the loader checks), so at most
        // one key contributes.
        var found = 0
        for index in keys.indices {
            let base = index * width
            var difference: UInt8 = 0
            for offset in 0..<width {
                difference |= digests[base + offset] ^ digest[offset]
            }
            // difference is 0...255: (0 - 1) >> 8 is -1 (all ones), (1...255 - 1) >> 8 is 0.
            let mask = (Int(difference) &- 1) >> 8
            found |= mask & (index + 1)
        }
        return found == 0 ? nil : keys[found - 1]
    }
}

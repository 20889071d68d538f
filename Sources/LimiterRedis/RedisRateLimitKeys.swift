import Gateway

/// The names of the store's keys, all under one prefix (`storage.redis.key_prefix`, default
/// `tollgate:`):
///
/// - `<prefix>c:<scope kind>:<name>:<model>:<limit>`: one counter, e.g.
///   `tollgate:c:key:team-a::tokens_per_minute`, `tollgate:c:key_model:team-a:gpt-4o:budget_usd_per_day`.
///   Names are the config's, with `%`, `:` and bytes up to space percent-encoded, so two scopes
///   never share a key. A windowed counter expires a minute after its newest bucket leaves its
///   window; a concurrency counter a lifetime and a tenth after its last change.
/// - `<prefix>tickets`, `<prefix>inflight`: reservations not yet settled; they expire two
///   lifetimes after the last reservation (by then every ticket in them has expired too).
/// - `<prefix>ticket_seq`: the ticket sequence, shared by replicas so ids never collide; the one
///   key without a TTL (a reset could give a late settlement someone else's ticket).
struct RedisRateLimitKeys: Sendable {
    let prefix: String
    let tickets: String
    let inflight: String
    let sequence: String

    init(prefix: String) {
        self.prefix = prefix
        tickets = prefix + "tickets"
        inflight = prefix + "inflight"
        sequence = prefix + "ticket_seq"
    }

    func counter(_ id: RateLimitCounterID) -> String {
        let scope = id.scope
        return "\(prefix)c:\(scope.kind.rawValue):\(Self.escaped(scope.name)):\(Self.escaped(scope.model ?? "")):"
            + id.kind.configKey
    }

    private static func escaped(_ name: String) -> String {
        guard name.utf8.contains(where: needsEscape) else { return name }
        var result: [UInt8] = []
        for byte in name.utf8 {
            if needsEscape(byte) {
                let hex = String(byte, radix: 16, uppercase: true)
                result += (byte < 16 ? "%0" + hex : "%" + hex).utf8
            } else {
                result.append(byte)
            }
        }
        // Only ASCII bytes were replaced, by ASCII, so the rest is still the name's valid UTF-8.
        return String(decoding: result, as: UTF8.self)
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == UInt8(ascii: "%") || byte == UInt8(ascii: ":")
    }
}

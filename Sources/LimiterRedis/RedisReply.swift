/// One reply of Redis's protocol (RESP2), copied out of hiredis's `redisReply` tree so that no C
/// memory outlives the call that read it.
///
/// An error reply (`-NOSCRIPT ...`, `-WRONGTYPE ...`) is a value, not a thrown error: the
/// connection is still fine, and callers decide what the error means (`RedisScript` retries a
/// NOSCRIPT with EVAL).
enum RedisReply: Sendable, Hashable {
    case string(String)
    case status(String)
    case integer(Int64)
    case array([RedisReply])
    case null
    case error(String)

    /// The integer of an integer reply, or of a string reply that holds one (HGET, GET).
    var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .string(let text): Int64(text)
        case .status, .array, .null, .error: nil
        }
    }

    var text: String? {
        switch self {
        case .string(let text), .status(let text): text
        case .integer, .array, .null, .error: nil
        }
    }
}

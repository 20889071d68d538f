import Crypto

/// A Lua script run atomically by Redis, sent by its SHA-1 (EVALSHA) so each call carries only
/// its keys and arguments.
///
/// The pool loads every script on each new connection (SCRIPT LOAD); a server that has lost its
/// script cache since (SCRIPT FLUSH, a restart behind a proxy, a failover to a replica) answers
/// NOSCRIPT, and the call is repeated once with EVAL, which also caches the script again.
struct RedisScript: Sendable {
    let source: String
    /// Lowercase hex, as Redis names scripts.
    let sha1: String

    init(_ source: String) {
        self.source = source
        sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Caches the script on the server behind `connection`.
    func load(on connection: RedisConnection) throws(RedisError) {
        let reply = try connection.command(["SCRIPT", "LOAD", source])
        guard reply.text == sha1 else {
            throw .reply("SCRIPT LOAD answered \(reply), expected \(sha1)")
        }
    }

    /// Runs the script with `keys` (KEYS) and `arguments` (ARGV); a Lua error comes back as `.error`.
    func run(keys: [String], arguments: [String], on connection: RedisConnection) throws(RedisError) -> RedisReply {
        var command = ["EVALSHA", sha1, String(keys.count)]
        command.reserveCapacity(3 + keys.count + arguments.count)
        command += keys
        command += arguments
        let reply = try connection.command(command)
        if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
            command[0] = "EVAL"
            command[1] = source
            return try connection.command(command)
        }
        return reply
    }
}

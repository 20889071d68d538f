private import CHiredis
import Glibc

/// One synchronous connection to Redis: the only owner of a hiredis `redisContext` in Tollgate.
///
/// hiredis 0.14 (Debian bookworm's libhiredis-dev): `redisConnectWithTimeout` bounds the connect,
/// `redisSetTimeout` sets SO_RCVTIMEO/SO_SNDTIMEO so a command waits at most `timeout` for each
/// read or write, and `redisCommandArgv` sends one command with binary-safe arguments and reads
/// its reply. After any I/O error hiredis leaves the context unusable, so such a connection is
/// dropped by its pool rather than reused.
///
/// Used by one thread at a time (see `RedisConnectionPool`); the context is freed in `deinit`.
final class RedisConnection: @unchecked Sendable {
    // Sendable because the pool hands a connection to one caller at a time under its mutex; the
    // context itself is never touched by two threads at once.
    private let context: UnsafeMutablePointer<redisContext>
    private var inUse = false

    /// Connects to `host:port` (a name is resolved by hiredis) within `timeout`, and sets the same
    /// timeout for every later read and write.
    init(host: String, port: Int, timeout: Duration) throws(RedisError) {
        let interval = Self.timeval(timeout)
        guard let context = redisConnectWithTimeout(host, Int32(port), interval) else {
            throw .connection("cannot allocate a hiredis context")
        }
        if context.pointee.err != 0 {
            let error = Self.error(of: context, doing: "connecting to \(host):\(port)")
            redisFree(context)
            throw error
        }
        guard redisSetTimeout(context, interval) == REDIS_OK else {
            let error = Self.error(of: context, doing: "setting the timeout")
            redisFree(context)
            throw error
        }
        self.context = context
    }

    deinit {
        redisFree(context)
    }

    /// Sends one command and reads its reply. Throws `connection` or `timeout` when the socket
    /// failed (the connection is then unusable); an error reply is returned as `.error`.
    func command(_ arguments: [String]) throws(RedisError) -> RedisReply {
        precondition(!inUse, "RedisConnection used by two callers at once")
        inUse = true
        defer { inUse = false }
        var bytes: [UInt8] = []
        var lengths: [Int] = []
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            bytes.append(contentsOf: argument.utf8)
            lengths.append(argument.utf8.count)
        }
        // Never empty, so the buffer below has a base address even when every argument is "".
        bytes.append(0)
        let raw = bytes.withUnsafeBufferPointer { buffer -> UnsafeMutableRawPointer? in
            let base = UnsafeRawPointer(buffer.baseAddress!)
            var offset = 0
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(lengths.count)
            for length in lengths {
                pointers.append(base.advanced(by: offset).assumingMemoryBound(to: CChar.self))
                offset += length
            }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    redisCommandArgv(context, Int32(argv.count), argv.baseAddress, argvlen.baseAddress)
                }
            }
        }
        guard let raw else {
            throw Self.error(of: context, doing: arguments.first ?? "command")
        }
        defer { freeReplyObject(raw) }
        return Self.reply(raw.assumingMemoryBound(to: redisReply.self).pointee)
    }

    /// Copies a hiredis reply tree into Swift values.
    private static func reply(_ reply: redisReply) -> RedisReply {
        switch reply.type {
        case REDIS_REPLY_STRING:
            return .string(text(reply))
        case REDIS_REPLY_STATUS:
            return .status(text(reply))
        case REDIS_REPLY_ERROR:
            return .error(text(reply))
        case REDIS_REPLY_INTEGER:
            return .integer(reply.integer)
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(reply.elements)
            for index in 0..<reply.elements {
                if let element = reply.element[index] {
                    elements.append(Self.reply(element.pointee))
                } else {
                    elements.append(.null)
                }
            }
            return .array(elements)
        default:
            // REDIS_REPLY_NIL, and nothing else in RESP2.
            return .null
        }
    }

    private static func text(_ reply: redisReply) -> String {
        guard let characters = reply.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: characters, count: reply.len), as: UTF8.self)
    }

    /// The one place hiredis's error codes become `RedisError`. hiredis reports a read that hit
    /// SO_RCVTIMEO as an I/O error with errno's text ("Resource temporarily unavailable").
    private static func error(of context: UnsafeMutablePointer<redisContext>, doing what: String) -> RedisError {
        let message = "\(what): \(String(cString: tollgate_redis_error_message(context)))"
        switch context.pointee.err {
        case REDIS_ERR_IO where errno == EAGAIN || errno == EWOULDBLOCK || errno == ETIMEDOUT:
            return .timeout(message)
        default:
            // Protocol errors leave the context unusable too: hiredis has lost its place in the stream.
            return .connection(message)
        }
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}

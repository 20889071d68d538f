/// Why a Redis call failed, by what it means for the connection: after `connection` or `timeout`
/// the connection is unusable and Redis is taken as unreachable; after `reply` it is fine and
/// Redis answered something this store did not expect (a bug, or a key of another program under
/// our prefix). Messages are hiredis's or Redis's, which name the problem and never a password.
enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Could not connect or authenticate, or the socket failed.
    case connection(String)
    /// No reply within the command timeout.
    case timeout(String)
    /// Redis answered an error or a reply of the wrong shape.
    case reply(String)
    /// Redis is marked unreachable and the next attempt is not due yet.
    case backingOff(String)

    var description: String {
        switch self {
        case .connection(let message): "connection failed: \(message)"
        case .timeout(let message): "timed out: \(message)"
        case .reply(let message): "unexpected reply: \(message)"
        case .backingOff(let message): message
        }
    }

    /// Whether the connection that saw this error must be dropped and Redis taken as down.
    var breaksConnection: Bool {
        switch self {
        case .connection, .timeout, .backingOff: true
        case .reply: false
        }
    }
}

/// Reassembles gRPC length-prefixed messages (1 flag byte, 4-byte big-endian length, payload) from
/// HTTP/2 DATA chunks, whatever their boundaries.
///
/// A message that lies wholly inside one chunk is handed on without a copy; only a message split
/// across chunks is gathered, and its buffer is released once delivered, so memory per call is bounded
/// by the largest message in flight, never by the call's length.
public struct GRPCMessageReader {
    private static let prefixLength = 5

    public let maxMessageBytes: Int
    private var prefix: [UInt8] = []
    private var pendingLength: Int?
    private var pending: [UInt8] = []

    public init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// True when the bytes seen so far end on a message boundary.
    public var isAtMessageBoundary: Bool { prefix.isEmpty && pendingLength == nil }

    /// Feeds one chunk and calls `deliver` with every message it completes.
    /// The buffer passed to `deliver` is valid only during that call.
    public mutating func consume(
        _ chunk: UnsafeRawBufferPointer,
        deliver: (UnsafeRawBufferPointer) -> Void
    ) throws(GRPCFramingError) {
        var offset = 0
        while offset < chunk.count {
            if let length = pendingLength {
                let take = min(length - pending.count, chunk.count - offset)
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[offset..<offset + take]))
                offset += take
                if pending.count == length {
                    pending.withUnsafeBytes { deliver($0) }
                    pendingLength = nil
                    pending = []
                }
                continue
            }
            let length: Int
            if prefix.isEmpty && chunk.count - offset >= Self.prefixLength {
                length = try Self.messageLength(
                    flag: chunk[offset],
                    lengthBytes: (chunk[offset + 1], chunk[offset + 2], chunk[offset + 3], chunk[offset + 4]),
                    limit: maxMessageBytes
                )
                offset += Self.prefixLength
            } else {
                let take = min(Self.prefixLength - prefix.count, chunk.count - offset)
                prefix.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[offset..<offset + take]))
                offset += take
                guard prefix.count == Self.prefixLength else { continue }
                length = try Self.messageLength(
                    flag: prefix[0],
                    lengthBytes: (prefix[1], prefix[2], prefix[3], prefix[4]),
                    limit: maxMessageBytes
                )
                prefix.removeAll(keepingCapacity: true)
            }
            if chunk.count - offset >= length {
                deliver(UnsafeRawBufferPointer(rebasing: chunk[offset..<offset + length]))
                offset += length
            } else {
                pendingLength = length
                pending.reserveCapacity(length)
            }
        }
    }

    /// Confirms the call ended on a message boundary.
    public func finish() throws(GRPCFramingError) {
        guard isAtMessageBoundary else { throw .truncatedMessage }
    }

    private static func messageLength(
        flag: UInt8,
        lengthBytes: (UInt8, UInt8, UInt8, UInt8),
        limit: Int
    ) throws(GRPCFramingError) -> Int {
        guard flag == 0 else { throw .compressedMessage }
        let length =
            Int(lengthBytes.0) << 24 | Int(lengthBytes.1) << 16 | Int(lengthBytes.2) << 8 | Int(lengthBytes.3)
        guard length <= limit else { throw .messageTooLarge(length: length, limit: limit) }
        return length
    }
}

/// The transport's state for one gRPC call on an HTTP/2 stream.
///
/// Outbound messages queue here until nghttp2 asks for them through the data provider; the queue
/// holds bytes already framed with the gRPC length prefix.
final class GRPCServerStream {
    let id: Int32
    var method: String = ""
    var handler: (any GRPCStreamHandler)?
    var reader: GRPCMessageReader

    /// HEADERS (:status 200) submitted; later messages only resume the data provider.
    var responseStarted = false
    /// The data provider returned NGHTTP2_ERR_DEFERRED and waits for `resume`.
    var dataDeferred = false
    /// We have decided the call's status; nothing more is sent or delivered.
    var finalStatus: GRPCStatus?
    /// The peer half-closed its side.
    var peerClosed = false

    private(set) var outbound: [UInt8] = []
    private var outboundOffset = 0

    init(id: Int32, maxMessageBytes: Int) {
        self.id = id
        self.reader = GRPCMessageReader(maxMessageBytes: maxMessageBytes)
    }

    var isFinished: Bool { finalStatus != nil }
    var pendingOutboundBytes: Int { outbound.count - outboundOffset }

    func appendMessage(byteCount: Int, encode: (UnsafeMutableRawBufferPointer) -> Void) {
        let start = outbound.count
        outbound.reserveCapacity(start + 5 + byteCount)
        outbound.append(0)
        outbound.append(UInt8(truncatingIfNeeded: byteCount >> 24))
        outbound.append(UInt8(truncatingIfNeeded: byteCount >> 16))
        outbound.append(UInt8(truncatingIfNeeded: byteCount >> 8))
        outbound.append(UInt8(truncatingIfNeeded: byteCount))
        outbound.append(contentsOf: repeatElement(0, count: byteCount))
        outbound.withUnsafeMutableBytes { bytes in
            encode(UnsafeMutableRawBufferPointer(rebasing: bytes[(start + 5)...]))
        }
    }

    /// Copies up to `capacity` queued bytes into `destination`; returns how many.
    func takeOutbound(into destination: UnsafeMutableRawPointer, capacity: Int) -> Int {
        let count = min(capacity, pendingOutboundBytes)
        guard count > 0 else { return 0 }
        outbound.withUnsafeBytes { bytes in
            destination.copyMemory(from: bytes.baseAddress! + outboundOffset, byteCount: count)
        }
        outboundOffset += count
        if outboundOffset == outbound.count {
            outboundOffset = 0
            // Keep a small buffer for the next message; give a large one back.
            if outbound.capacity > 64 * 1024 { outbound = [] } else { outbound.removeAll(keepingCapacity: true) }
        }
        return count
    }
}

/// Why a call's inbound gRPC framing was rejected; each maps to the status that ends the call.
public enum GRPCFramingError: Error, Equatable, Sendable {
    /// The compressed flag was set; Tollgate never advertises a grpc-encoding, so this is a peer bug.
    case compressedMessage
    /// The length prefix exceeds the configured cap.
    case messageTooLarge(length: Int, limit: Int)
    /// The call ended in the middle of a message.
    case truncatedMessage

    var status: GRPCStatus {
        switch self {
        case .compressedMessage:
            GRPCStatus(code: .unimplemented, message: "compressed messages are not supported")
        case .messageTooLarge(let length, let limit):
            GRPCStatus(code: .resourceExhausted, message: "message of \(length) bytes exceeds the limit of \(limit)")
        case .truncatedMessage:
            GRPCStatus(code: .internal, message: "stream ended inside a message")
        }
    }
}

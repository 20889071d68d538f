/// Why Tollgate ended an ext_proc stream. Each ends that stream only, with gRPC INVALID_ARGUMENT:
/// the peer sent something this protocol does not allow.
public enum ExtProcError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes are not a `ProcessingRequest`.
    case malformedMessage
    /// A `ProcessingRequest` with none of the six phases set.
    case missingPhase
    /// A phase arrived that cannot follow what the stream has already seen, such as request
    /// headers after a request body, or after the response started.
    case outOfOrder(ProcessingPhase)

    public var description: String {
        switch self {
        case .malformedMessage: "ProcessingRequest could not be decoded"
        case .missingPhase: "ProcessingRequest has no phase set"
        case .outOfOrder(let phase): "\(phase.name) is out of order on this stream"
        }
    }

    /// The `kind` label of `tollgate_errors_total`.
    var metricKind: String {
        switch self {
        case .malformedMessage: "protobuf_decode"
        case .missingPhase, .outOfOrder: "extproc_protocol"
        }
    }
}

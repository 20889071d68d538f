/// A change to the body, or to the chunk being answered in streamed modes
/// (`envoy.service.ext_proc.v3.BodyMutation`).
///
/// The protocol's `streamed_response` case belongs to FULL_DUPLEX_STREAMED mode, which Tollgate
/// does not support yet (see `ProcessingMode.BodySendMode.fullDuplexStreamed`).
public enum BodyMutation: Sendable, Hashable {
    case replace([UInt8])
    case clear
}

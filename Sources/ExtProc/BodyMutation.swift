/// A change to the body, or to the chunk being answered in streamed modes
/// (`envoy.service.ext_proc.v3.BodyMutation`).
public enum BodyMutation: Sendable, Hashable {
    case replace([UInt8])
    case clear
    /// FULL_DUPLEX_STREAMED mode (`streamed_response`): Envoy keeps no copy of the body there, so
    /// these bytes are what travels on, and `endOfStream` ends the body.
    case streamed([UInt8], endOfStream: Bool)
}

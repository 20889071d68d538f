/// One message from Envoy (`envoy.service.ext_proc.v3.ProcessingRequest`) as plain Swift values.
///
/// Exactly one phase is present, which `payload` makes impossible to get wrong. Fields of the
/// protocol that Tollgate does not act on (flow-control windows) are not decoded.
public struct ProcessingRequest: Sendable, Hashable {
    /// The phase and what Envoy sent for it.
    public enum Payload: Sendable, Hashable {
        case requestHeaders(HTTPHeaders)
        case requestBody(HTTPBody)
        case requestTrailers([HeaderField])
        case responseHeaders(HTTPHeaders)
        case responseBody(HTTPBody)
        case responseTrailers([HeaderField])
    }

    public var payload: Payload
    /// The attributes the filter was configured to send (`request_attributes`,
    /// `response_attributes`), keyed by the name Envoy groups them under.
    public var attributes: [String: ProtoStruct]
    /// `metadata_context.filter_metadata`: the dynamic metadata namespaces Envoy forwards.
    public var metadataContext: [String: ProtoStruct]
    /// Envoy does not wait for a reply, and Tollgate sends none.
    public var observabilityMode: Bool
    /// Present in the first message of a stream only.
    public var protocolConfiguration: ProtocolConfiguration?

    public init(
        payload: Payload,
        attributes: [String: ProtoStruct] = [:],
        metadataContext: [String: ProtoStruct] = [:],
        observabilityMode: Bool = false,
        protocolConfiguration: ProtocolConfiguration? = nil
    ) {
        self.payload = payload
        self.attributes = attributes
        self.metadataContext = metadataContext
        self.observabilityMode = observabilityMode
        self.protocolConfiguration = protocolConfiguration
    }

    public var phase: ProcessingPhase {
        switch payload {
        case .requestHeaders: .requestHeaders
        case .requestBody: .requestBody
        case .requestTrailers: .requestTrailers
        case .responseHeaders: .responseHeaders
        case .responseBody: .responseBody
        case .responseTrailers: .responseTrailers
        }
    }
}

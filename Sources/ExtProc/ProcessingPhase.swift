/// The six points at which Envoy consults the processor, one per `ProcessingRequest` case.
///
/// A reply must be for the same phase as the message it answers, so the phase travels with the
/// request and the encoder picks the matching `ProcessingResponse` case from it.
public enum ProcessingPhase: Sendable, Hashable, CaseIterable {
    case requestHeaders
    case requestBody
    case requestTrailers
    case responseHeaders
    case responseBody
    case responseTrailers

    /// The part of an HTTP message a phase carries; the order of the cases is the order on the wire.
    public enum Part: Int, Sendable, Hashable, Comparable {
        case headers
        case body
        case trailers

        public static func < (lhs: Part, rhs: Part) -> Bool {
            lhs.rawValue < rhs.rawValue
        }
    }

    public var direction: ProcessingDirection {
        switch self {
        case .requestHeaders, .requestBody, .requestTrailers: .request
        case .responseHeaders, .responseBody, .responseTrailers: .response
        }
    }

    public var part: Part {
        switch self {
        case .requestHeaders, .responseHeaders: .headers
        case .requestBody, .responseBody: .body
        case .requestTrailers, .responseTrailers: .trailers
        }
    }

    /// The protobuf field name, which is also the `phase` label of Tollgate's metrics.
    public var name: String {
        switch self {
        case .requestHeaders: "request_headers"
        case .requestBody: "request_body"
        case .requestTrailers: "request_trailers"
        case .responseHeaders: "response_headers"
        case .responseBody: "response_body"
        case .responseTrailers: "response_trailers"
        }
    }
}

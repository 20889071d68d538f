/// A gRPC status, sent in the trailers that end a call (grpc-status and grpc-message).
public struct GRPCStatus: Sendable, Equatable {
    /// The codes of https://grpc.github.io/grpc/core/md_doc_statuscodes.html that Tollgate sends.
    public enum Code: Int, Sendable {
        case ok = 0
        case cancelled = 1
        case unknown = 2
        case invalidArgument = 3
        case deadlineExceeded = 4
        case notFound = 5
        case resourceExhausted = 8
        case failedPrecondition = 9
        case aborted = 10
        case unimplemented = 12
        case `internal` = 13
        case unavailable = 14
    }

    public var code: Code
    public var message: String?

    public init(code: Code, message: String? = nil) {
        self.code = code
        self.message = message
    }

    public static let ok = GRPCStatus(code: .ok)
}

/// When Envoy retries a request to a model: the conditions of the route's `retry_on`, spelled as
/// Envoy spells them (router filter docs, "x-envoy-retry-on").
///
/// Only the HTTP conditions that need no further settings are offered; `retriable-headers` (which
/// needs header matchers) and the gRPC ones do not apply to LLM APIs.
public enum RetryCondition: String, Sendable, Hashable, CaseIterable {
    /// Any 5xx answer, no answer at all (disconnect, reset, per-try timeout), connect failures.
    case serverError = "5xx"
    /// 502, 503 and 504 only, and the same connection problems as `5xx`.
    case gatewayError = "gateway-error"
    /// The provider reset or closed the stream, or did not answer within the per-try timeout.
    case reset = "reset"
    /// As `reset`, but only before any of the request was sent: safe even for non-idempotent calls.
    case resetBeforeRequest = "reset-before-request"
    /// No connection could be made (refused, connect timeout, TLS failure).
    case connectFailure = "connect-failure"
    /// The provider refused the HTTP/2 stream (REFUSED_STREAM).
    case refusedStream = "refused-stream"
    /// A 409.
    case retriable4xx = "retriable-4xx"
    /// Any status in the retry settings' `retriableStatusCodes` (429 by default).
    case retriableStatusCodes = "retriable-status-codes"

    /// How config errors list the accepted values.
    public static let expected = "one of " + allCases.map(\.rawValue).joined(separator: ", ")
}

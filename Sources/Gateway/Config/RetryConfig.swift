/// How Envoy retries one model's requests: the model route's `retry_policy`, from `models[].retry`.
///
/// Every attempt runs Tollgate's upstream phase again, so a retry onto another backend gets that
/// backend's path, model name, credential and dialect. A retry avoids the hosts already tried
/// (`previous_hosts`) and, when the model has several priority levels, moves to the next level
/// (`previous_priorities`). Envoy retries only until the first byte of the response has gone to the
/// client: a stream that has started is never replayed.
public struct RetryConfig: Sendable, Hashable {
    /// Envoy's `retry_on`.
    public var conditions: [RetryCondition]
    /// The statuses `retriable-status-codes` retries; 5xx needs no entry when `5xx` is a condition.
    public var retriableStatusCodes: [Int]
    /// Retries after the first attempt; nil: one per other backend, at least one, so a failing
    /// request can reach every backend once.
    public var numRetries: Int?
    /// How long one attempt may wait for the provider's response headers. It stops counting once
    /// the response has started towards the client (Envoy ignores it then), so it never cuts a
    /// stream; for a buffered answer the headers come with the whole completion, so it must cover
    /// the slowest legitimate completion.
    public var perTryTimeout: Duration
    /// Envoy's jittered exponential back-off between attempts (`retry_back_off`).
    public var backOffBase: Duration
    public var backOffMax: Duration
    /// A provider's `Retry-After` (in seconds) is honoured before the next attempt when it is at
    /// most this long; a longer one is ignored and the back-off above applies (Envoy's
    /// `rate_limited_retry_back_off`). Zero: never honoured.
    public var retryAfterMax: Duration

    public static let defaultConditions: [RetryCondition] = [
        .serverError, .reset, .connectFailure, .refusedStream, .retriableStatusCodes,
    ]
    public static let defaultRetriableStatusCodes = [429]
    public static let defaultPerTryTimeout = Duration.seconds(120)
    public static let defaultBackOffBase = Duration.milliseconds(25)
    public static let defaultBackOffMax = Duration.milliseconds(250)
    public static let defaultRetryAfterMax = Duration.seconds(10)

    public static let numRetriesRange = 0...10
    public static let statusCodeRange = 400...599
    public static let perTryTimeoutRange = Duration.seconds(1)...Duration.seconds(3600)
    public static let backOffRange = Duration.milliseconds(1)...Duration.seconds(300)
    public static let retryAfterMaxRange = Duration.zero...Duration.seconds(300)

    public init(
        conditions: [RetryCondition] = RetryConfig.defaultConditions,
        retriableStatusCodes: [Int] = RetryConfig.defaultRetriableStatusCodes,
        numRetries: Int? = nil,
        perTryTimeout: Duration = RetryConfig.defaultPerTryTimeout,
        backOffBase: Duration = RetryConfig.defaultBackOffBase,
        backOffMax: Duration = RetryConfig.defaultBackOffMax,
        retryAfterMax: Duration = RetryConfig.defaultRetryAfterMax
    ) {
        self.conditions = conditions
        self.retriableStatusCodes = retriableStatusCodes
        self.numRetries = numRetries
        self.perTryTimeout = perTryTimeout
        self.backOffBase = backOffBase
        self.backOffMax = backOffMax
        self.retryAfterMax = retryAfterMax
    }

    /// The retries for a model with `backendCount` backends.
    public func retries(backendCount: Int) -> Int {
        numRetries ?? max(1, backendCount - 1)
    }
}

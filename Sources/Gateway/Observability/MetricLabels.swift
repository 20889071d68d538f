/// Label values for what a request reports, kept to a set fixed at startup so that no client or
/// provider can grow the number of series: an HTTP status outside 100–599 and a reason Tollgate
/// does not know become `other`.
///
/// Reasons come from Tollgate's own errors, the limiter and Envoy's local replies; the last reach
/// the router phase through a response header (`x-tollgate-local-reply`), which a provider could
/// also send, hence the check.
enum MetricLabels {
    /// Every reason `RequestCompletion.rejection` can hold.
    static let knownReasons: Set<String> = Set(
        GatewayError.allKinds + GatewayMetrics.translationKinds + RateLimitError.allKinds + localReplyReasons
    )

    /// The reasons `EnvoyLocalReplies` marks Envoy's own answers with.
    static let localReplyReasons = ["request_too_large", "upstream_unavailable"]

    /// `rejection` as a label value: itself when known, `other` otherwise, `none` when nil.
    static func reason(_ rejection: String?) -> String {
        guard let rejection else { return "none" }
        return knownReasons.contains(rejection) ? rejection : "other"
    }

    /// `status` as a label value: `"0"` when the client got none, `other` outside 100–599.
    static func status(_ status: Int?) -> String {
        guard let status else { return "0" }
        return statusTexts.indices.contains(status - 100) ? statusTexts[status - 100] : "other"
    }

    /// "100" ... "599", built once.
    private static let statusTexts = (100...599).map(String.init)
}

/// When Envoy stops sending a model's traffic to a failing backend for a while: the model
/// cluster's `outlier_detection`, from `models[].outlier_detection`.
///
/// A backend that answers `consecutive5xx` server errors in a row (connect failures and timeouts
/// count) is ejected for `baseEjectionTime`, longer each time it is ejected again; meanwhile its
/// share goes to the other backends of its priority level, or to the next level. Each model has its
/// own cluster, so a provider ejected for one model still serves the others.
public struct OutlierDetectionConfig: Sendable, Hashable {
    /// Errors in a row that eject a backend; 0 turns ejection off.
    public var consecutive5xx: Int
    /// How often Envoy lifts ejections that have run their time.
    public var interval: Duration
    /// The first ejection's length; the n-th lasts n times as long (Envoy caps it at 300 s).
    public var baseEjectionTime: Duration
    /// The largest share of the model's backends ejected at once; Envoy ejects one even when the
    /// share would round to none.
    public var maxEjectionPercent: Int

    public static let defaultConsecutive5xx = 5
    public static let defaultInterval = Duration.seconds(10)
    public static let defaultBaseEjectionTime = Duration.seconds(30)
    public static let defaultMaxEjectionPercent = 50

    public static let consecutive5xxRange = 0...1000
    public static let maxEjectionPercentRange = 0...100
    public static let intervalRange = Duration.seconds(1)...Duration.seconds(3600)
    public static let baseEjectionTimeRange = Duration.seconds(1)...Duration.seconds(3600)

    public init(
        consecutive5xx: Int = OutlierDetectionConfig.defaultConsecutive5xx,
        interval: Duration = OutlierDetectionConfig.defaultInterval,
        baseEjectionTime: Duration = OutlierDetectionConfig.defaultBaseEjectionTime,
        maxEjectionPercent: Int = OutlierDetectionConfig.defaultMaxEjectionPercent
    ) {
        self.consecutive5xx = consecutive5xx
        self.interval = interval
        self.baseEjectionTime = baseEjectionTime
        self.maxEjectionPercent = maxEjectionPercent
    }

    public var isEnabled: Bool {
        consecutive5xx > 0
    }
}

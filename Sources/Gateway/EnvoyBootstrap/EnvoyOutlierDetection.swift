/// A model cluster's `outlier_detection` (`envoy.config.cluster.v3.OutlierDetection`), from the
/// model's `OutlierDetectionConfig`; nil when ejection is off.
enum EnvoyOutlierDetection {
    static func node(_ config: OutlierDetectionConfig) -> YAMLNode? {
        guard config.isEnabled else {
            return nil
        }
        return .map([
            YAMLEntry("consecutive_5xx", .int(config.consecutive5xx)),
            YAMLEntry("interval", .string(EnvoyDuration.text(config.interval))),
            YAMLEntry("base_ejection_time", .string(EnvoyDuration.text(config.baseEjectionTime))),
            YAMLEntry("max_ejection_percent", .int(config.maxEjectionPercent)),
            YAMLEntry(
                "enforcing_success_rate",
                0,
                comment: "Only consecutive errors eject, as configured; Envoy's success-rate ejection stays off."
            ),
        ])
    }
}

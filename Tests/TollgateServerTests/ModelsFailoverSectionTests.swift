import Foundation
import Gateway
import Testing

@testable import TollgateServer

/// A model's `timeout`, `retry:` and `outlier_detection:`: defaults, every key, and each rule with
/// the line it is reported on.
@Suite struct ModelsFailoverSectionTests {
    static let header = """
        providers:
          - name: p
            schema: openai
            base_url: http://h
        models:
          - name: m
            backends: [{ provider: p }, { provider: p, priority: 1 }]

        """

    private func models(_ yaml: String) -> [ModelConfig] {
        ConfigLoader.diagnose(yaml: Self.header + yaml, file: "t.yaml").config.models.models
    }

    /// The errors as `line: message`; line 8 is the first line after the header.
    private func errors(_ yaml: String) -> [String] {
        ConfigLoader.diagnose(yaml: Self.header + yaml, file: "t.yaml").errors.map {
            "\($0.line.map(String.init) ?? "-"): \($0.message)"
        }
    }

    @Test func defaultsWhenNothingIsWritten() throws {
        let model = try #require(models("").first)
        #expect(model.timeout == .seconds(300))
        #expect(model.retry == RetryConfig())
        #expect(
            model.retry.conditions == [.serverError, .reset, .connectFailure, .refusedStream, .retriableStatusCodes]
        )
        #expect(model.retry.retriableStatusCodes == [429])
        #expect(model.retry.numRetries == nil)
        #expect(model.retry.retries(backendCount: 2) == 1)
        #expect(model.retry.perTryTimeout == .seconds(120))
        #expect(model.retry.backOffBase == .milliseconds(25) && model.retry.backOffMax == .milliseconds(250))
        #expect(model.retry.retryAfterMax == .seconds(10))
        #expect(model.outlierDetection == OutlierDetectionConfig())
        #expect(model.outlierDetection.consecutive5xx == 5 && model.outlierDetection.isEnabled)
        #expect(model.outlierDetection.interval == .seconds(10))
        #expect(model.outlierDetection.baseEjectionTime == .seconds(30))
        #expect(model.outlierDetection.maxEjectionPercent == 50)
    }

    @Test func defaultRetriesReachEveryBackendOnce() {
        let retry = RetryConfig()
        #expect(retry.retries(backendCount: 1) == 1)
        #expect(retry.retries(backendCount: 2) == 1)
        #expect(retry.retries(backendCount: 4) == 3)
        #expect(RetryConfig(numRetries: 0).retries(backendCount: 4) == 0)
    }

    @Test func everyKeyIsRead() throws {
        let yaml = """
                timeout: 10m
                retry:
                  retry_on: [gateway-error, reset-before-request, retriable-status-codes]
                  retriable_status_codes: [429, 409]
                  num_retries: 3
                  per_try_timeout: 45s
                  back_off: { base_interval: 100ms, max_interval: 2s }
                  retry_after_max: 0s
                outlier_detection:
                  consecutive_5xx: 2
                  interval: 500ms
                  base_ejection_time: 1h
                  max_ejection_percent: 100

            """
        #expect(
            errors(yaml) == [
                "18: models[0].outlier_detection.interval: expected a duration such as 500ms, 30s or 5m, in 1s...1h, got '500ms'"
            ]
        )
        let fixed = yaml.replacingOccurrences(of: "interval: 500ms", with: "interval: 2s")
        #expect(errors(fixed) == [])
        let model = try #require(models(fixed).first)
        #expect(model.timeout == .seconds(600))
        #expect(
            model.retry
                == RetryConfig(
                    conditions: [.gatewayError, .resetBeforeRequest, .retriableStatusCodes],
                    retriableStatusCodes: [429, 409],
                    numRetries: 3,
                    perTryTimeout: .seconds(45),
                    backOffBase: .milliseconds(100),
                    backOffMax: .seconds(2),
                    retryAfterMax: .zero
                )
        )
        #expect(
            model.outlierDetection
                == OutlierDetectionConfig(
                    consecutive5xx: 2,
                    interval: .seconds(2),
                    baseEjectionTime: .seconds(3600),
                    maxEjectionPercent: 100
                )
        )
    }

    @Test func aTimeoutOfZeroTurnsItOffAndLiftsTheAgreementRule() throws {
        let model = try #require(models("    timeout: 0s\n    retry: { per_try_timeout: 1h }\n").first)
        #expect(model.timeout == .zero)
        #expect(model.retry.perTryTimeout == .seconds(3600))
        #expect(
            try #require(models("    outlier_detection: { consecutive_5xx: 0 }\n").first).outlierDetection.isEnabled
                == false
        )
    }

    @Test(arguments: [
        (
            "    timeout: 5\n",
            "8: models[0].timeout: expected a duration such as 500ms, 30s or 5m, in 0s...24h, got '5'"
        ),
        (
            "    timeout: 2d\n",
            "8: models[0].timeout: expected a duration such as 500ms, 30s or 5m, in 0s...24h, got '2d'"
        ),
        (
            "    timeout: 1.5s\n",
            "8: models[0].timeout: expected a duration such as 500ms, 30s or 5m, in 0s...24h, got '1.5s'"
        ),
        ("    retry: [5xx]\n", "8: models[0].retry: expected a mapping of keys to values"),
        ("    retry:\n      retry_on: 5xx\n", "9: models[0].retry.retry_on: expected a list"),
        (
            "    retry:\n      retry_on: [5xx, sometimes]\n",
            "9: models[0].retry.retry_on[1]: expected one of 5xx, gateway-error, reset, reset-before-request, "
                + "connect-failure, refused-stream, retriable-4xx, retriable-status-codes"
        ),
        (
            "    retry:\n      retry_on: []\n",
            "9: models[0].retry.retry_on: expected at least one condition; num_retries: 0 turns retries off"
        ),
        (
            "    retry:\n      retry_on: [5xx]\n      retriable_status_codes: [429]\n",
            "10: models[0].retry.retriable_status_codes: has no effect unless retry_on includes retriable-status-codes"
        ),
        (
            "    retry:\n      retriable_status_codes: [429, 302]\n",
            "9: models[0].retry.retriable_status_codes[1]: expected an HTTP status in 400...599"
        ),
        (
            "    retry:\n      num_retries: 11\n",
            "9: models[0].retry.num_retries: expected an integer in 0...10, got '11'"
        ),
        (
            "    retry:\n      per_try_timeout: 500ms\n",
            "9: models[0].retry.per_try_timeout: expected a duration such as 500ms, 30s or 5m, in 1s...1h, got '500ms'"
        ),
        (
            "    retry:\n      per_try_timeout: 5m\n",
            "9: models[0].retry.per_try_timeout: must be shorter than the model's timeout (5m), "
                + "or no retry could follow a timed-out attempt"
        ),
        (
            "    timeout: 60s\n",
            "8: models[0].timeout: 1m leaves no time to retry after a timed-out attempt: make it longer than "
                + "retry.per_try_timeout (2m), or set that shorter"
        ),
        (
            "    timeout: 60s\n    retry:\n      retry_after_max: 1m\n      per_try_timeout: 10s\n",
            "10: models[0].retry.retry_after_max: must be shorter than the model's timeout (1m)"
        ),
        (
            "    retry:\n      back_off: { base_interval: 1s }\n",
            "9: models[0].retry.back_off.base_interval: max_interval (250ms) must not be shorter than base_interval (1s)"
        ),
        (
            "    retry:\n      back_off:\n        base_interval: 1s\n        max_interval: 500ms\n",
            "11: models[0].retry.back_off.max_interval: max_interval (500ms) must not be shorter than base_interval (1s)"
        ),
        (
            "    retry:\n      back_off: { jitter: 1 }\n",
            "9: unknown key 'models[0].retry.back_off.jitter'; expected one of: base_interval, max_interval"
        ),
        (
            "    retry:\n      retry_after: 1s\n",
            "9: unknown key 'models[0].retry.retry_after'; expected one of: retry_on, retriable_status_codes, "
                + "num_retries, per_try_timeout, back_off, retry_after_max"
        ),
        (
            "    outlier_detection:\n      max_ejection_percent: 101\n",
            "9: models[0].outlier_detection.max_ejection_percent: expected an integer in 0...100, got '101'"
        ),
        (
            "    outlier_detection:\n      consecutive_5xx: -1\n",
            "9: models[0].outlier_detection.consecutive_5xx: expected an integer in 0...1000, got '-1'"
        ),
        (
            "    outlier_detection:\n      base_ejection_time: 0s\n",
            "9: models[0].outlier_detection.base_ejection_time: expected a duration such as 500ms, 30s or 5m, in 1s...1h, got '0s'"
        ),
        (
            "    outlier_detection:\n      enforcing: 100\n",
            "9: unknown key 'models[0].outlier_detection.enforcing'; expected one of: consecutive_5xx, interval, "
                + "base_ejection_time, max_ejection_percent"
        ),
    ])
    func eachRuleNamesItsLine(yaml: String, expected: String) {
        #expect(errors(yaml) == [expected])
    }

    @Test func durationsReadAndWriteInTheFilesSyntax() {
        #expect(ConfigDuration.parse("250ms") == .milliseconds(250))
        #expect(ConfigDuration.parse("30s") == .seconds(30))
        #expect(ConfigDuration.parse("5m") == .seconds(300))
        #expect(ConfigDuration.parse("2h") == .seconds(7200))
        #expect(ConfigDuration.parse("0s") == .zero)
        for bad in ["", "s", "30", "30 s", "-1s", "1.5s", "30S", "1234567890s", "5ms5"] {
            #expect(ConfigDuration.parse(bad) == nil, "\(bad)")
        }
        #expect(ConfigDuration.text(.milliseconds(1500)) == "1500ms")
        #expect(ConfigDuration.text(.seconds(90)) == "90s")
        #expect(ConfigDuration.text(.seconds(120)) == "2m")
        #expect(ConfigDuration.text(.seconds(3600)) == "1h")
        #expect(ConfigDuration.text(.zero) == "0s")
    }
}

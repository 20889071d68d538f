import Testing

@testable import Telemetry

@Suite struct PrometheusTextTests {
    @Test(arguments: ["a", "_a", "a:b_c9", "tollgate_connections_total"])
    func acceptsValidMetricNames(name: String) {
        #expect(PrometheusText.isValidMetricName(name))
    }

    @Test(arguments: ["", "9a", "a-b", "a b", "é"])
    func rejectsInvalidMetricNames(name: String) {
        #expect(!PrometheusText.isValidMetricName(name))
    }

    @Test func labelNamesForbidColonsAndTheReservedPrefix() {
        #expect(PrometheusText.isValidLabelName("phase"))
        #expect(!PrometheusText.isValidLabelName("a:b"))
        #expect(!PrometheusText.isValidLabelName("__name__"))
    }

    @Test func formatsNumbersAsGoClientsDo() {
        #expect(PrometheusText.format(1) == "1")
        #expect(PrometheusText.format(0.005) == "0.005")
        #expect(PrometheusText.format(2.5) == "2.5")
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(PrometheusText.format(1e20) == "1e+20")
    }
}

import Testing

@testable import Telemetry

@Suite struct MetricsRegistryTests {
    @Test func sameNameAndLabelsReturnTheSameInstrument() {
        let registry = MetricsRegistry()
        let first = registry.counter("x_total", help: "h", labels: [("a", "1"), ("b", "2")])
        let again = registry.counter("x_total", help: "h", labels: [("b", "2"), ("a", "1")])
        let other = registry.counter("x_total", help: "h", labels: [("a", "2"), ("b", "2")])
        #expect(first === again)
        #expect(first !== other)
        #expect(registry.gauge("g", help: "h") === registry.gauge("g", help: "h"))
        #expect(registry.histogram("s", help: "h", buckets: [1]) === registry.histogram("s", help: "h", buckets: [1]))
    }

    @Test func rendersOneHelpAndTypePerFamilySortedByName() {
        let registry = MetricsRegistry()
        registry.counter("tollgate_errors_total", help: "Errors.", labels: [("kind", "h2_protocol")]).increment()
        registry.counter("tollgate_errors_total", help: "Errors.", labels: [("kind", "grpc_framing")])
            .increment(by: 3)
        registry.gauge("tollgate_connections_active", help: "Open connections.").set(7)
        #expect(
            registry.renderPrometheus() == """
                # HELP tollgate_connections_active Open connections.
                # TYPE tollgate_connections_active gauge
                tollgate_connections_active 7
                # HELP tollgate_errors_total Errors.
                # TYPE tollgate_errors_total counter
                tollgate_errors_total{kind="grpc_framing"} 3
                tollgate_errors_total{kind="h2_protocol"} 1

                """
        )
    }

    @Test func escapesLabelValuesAndHelp() {
        let registry = MetricsRegistry()
        registry.counter("e_total", help: "back\\slash\nnewline \"quoted\"", labels: [("v", "a\\b\"c\nd")])
            .increment()
        #expect(
            registry.renderPrometheus() == """
                # HELP e_total back\\\\slash\\nnewline "quoted"
                # TYPE e_total counter
                e_total{v="a\\\\b\\"c\\nd"} 1

                """
        )
    }

    @Test func rendersCumulativeHistogramBuckets() {
        let registry = MetricsRegistry()
        let histogram = registry.histogram(
            "tollgate_extproc_handler_seconds",
            help: "Handler time.",
            labels: [("phase", "request_headers")],
            buckets: [0.5, 0.001, 1, .infinity]
        )
        for seconds in [0.0005, 0.001, 0.25, 0.75, 3] {
            histogram.observe(seconds)
        }
        #expect(histogram.count == 5)
        #expect(
            registry.renderPrometheus() == """
                # HELP tollgate_extproc_handler_seconds Handler time.
                # TYPE tollgate_extproc_handler_seconds histogram
                tollgate_extproc_handler_seconds_bucket{phase="request_headers",le="0.001"} 2
                tollgate_extproc_handler_seconds_bucket{phase="request_headers",le="0.5"} 3
                tollgate_extproc_handler_seconds_bucket{phase="request_headers",le="1"} 4
                tollgate_extproc_handler_seconds_bucket{phase="request_headers",le="+Inf"} 5
                tollgate_extproc_handler_seconds_sum{phase="request_headers"} 4.0015
                tollgate_extproc_handler_seconds_count{phase="request_headers"} 5

                """
        )
    }

    @Test func rendersAnEmptyUnlabelledHistogram() {
        let registry = MetricsRegistry()
        _ = registry.histogram("d_seconds", help: "d", buckets: [0.1])
        #expect(
            registry.renderPrometheus() == """
                # HELP d_seconds d
                # TYPE d_seconds histogram
                d_seconds_bucket{le="0.1"} 0
                d_seconds_bucket{le="+Inf"} 0
                d_seconds_sum 0
                d_seconds_count 0

                """
        )
    }

    @Test func gaugeGoesUpAndDown() {
        let gauge = MetricsRegistry().gauge("g", help: "h")
        gauge.increment()
        gauge.increment(by: 4)
        gauge.decrement(by: 2)
        #expect(gauge.value == 3)
        gauge.set(-1)
        #expect(gauge.value == -1)
    }

    @Test func concurrentUpdatesAreNotLost() async {
        let registry = MetricsRegistry()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    // Registration races too: every task must end up with the same instruments.
                    let counter = registry.counter("c_total", help: "h")
                    let histogram = registry.histogram("h_seconds", help: "h", buckets: [0.5])
                    for _ in 0..<10_000 {
                        counter.increment()
                        histogram.observe(0.25)
                    }
                }
            }
        }
        #expect(registry.counter("c_total", help: "h").value == 80_000)
        let histogram = registry.histogram("h_seconds", help: "h", buckets: [0.5])
        #expect(histogram.count == 80_000)
        #expect(histogram.sum == 20_000)
    }
}

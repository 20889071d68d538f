import Foundation
import Gateway
import Testing
import Yams

/// What the rendered config adds for the response side: the router-level filter may change its
/// mode per response, Envoy's own replies are marked for the router phase, and the access log
/// prints what the router phase reports in the `tollgate` metadata.
@Suite struct EnvoyBootstrapResponseTests {
    private func hcm() throws -> [String: Any] {
        let bootstrap = try EnvoyBootstrapTests.render()
        return try #require(
            bootstrap.path("static_resources", "listeners", 0, "filter_chains", 0, "filters", 0, "typed_config")
                as? [String: Any]
        )
    }

    @Test func routerFilterGetsTheFirstResponseChunkWithTheHeaders() throws {
        let extProc = try #require(try hcm().path("http_filters", 0, "typed_config") as? [String: Any])
        #expect(extProc.path("processing_mode", "response_body_mode") as? String == "STREAMED")
        #expect(extProc["send_body_without_waiting_for_header_response"] as? Bool == true)
        #expect(extProc["allow_mode_override"] == nil, "Tollgate sends no mode_override")
    }

    @Test func envoysOwnRepliesAreMarkedWithTheirReason() throws {
        let mappers = try #require(try hcm().path("local_reply_config", "mappers") as? [[String: Any]])
        let reasons = mappers.map { mapper in
            (mapper["headers_to_add"] as? [[String: Any]])?.first.flatMap { add -> String? in
                guard add.path("header", "key") as? String == GatewayHeaders.localReply else { return nil }
                return add.path("header", "value") as? String
            }
        }
        #expect(reasons == ["request_too_large", "request_too_large", "upstream_unavailable", "upstream_unavailable"])
    }

    @Test func accessLogPrintsTheUsageAndBackendAsJSON() throws {
        let logs = try #require(try hcm()["access_log"] as? [[String: Any]])
        #expect(logs.count == 1)
        #expect(logs[0]["name"] as? String == "envoy.access_loggers.stdout")
        let format = try #require(logs[0].path("typed_config", "log_format", "json_format") as? [String: String])
        for key in [
            "input_tokens", "output_tokens", "cached_input_tokens", "cache_creation_input_tokens", "reasoning_tokens",
            "usage_complete", "backend", "provider", "attempts", "ttft_ms", "duration_ms", "endpoint",
        ] {
            #expect(format[key] == "%DYNAMIC_METADATA(tollgate:\(key))%", "\(key)")
        }
        #expect(format["status"] == "%RESPONSE_CODE%")
    }
}

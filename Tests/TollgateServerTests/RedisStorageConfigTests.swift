import Testing

@testable import TollgateServer

/// `storage.redis:`: the URL, the password file, the failure mode, and errors with their lines
/// that never repeat a password.
@Suite struct RedisStorageConfigTests {
    private func diagnose(_ yaml: String) -> ConfigDiagnosis {
        ConfigLoader.diagnose(yaml: yaml, file: "/etc/tollgate/tollgate.yaml")
    }

    private func errors(_ yaml: String) -> [String] {
        diagnose(yaml).errors.map { "\($0.line.map(String.init) ?? "-"): \($0.message)" }
    }

    @Test func withoutRedisTheCountersStayLocal() {
        #expect(diagnose("{}").config.storage.redis == nil)
        #expect(diagnose("storage: { path: t.db }").config.storage.redis == nil)
    }

    @Test func everyKeyWithItsDefaults() {
        let minimal = diagnose("storage: { redis: { url: 'redis://127.0.0.1' } }")
        #expect(minimal.errors.isEmpty)
        var expected = RedisStorageConfig(host: "127.0.0.1")
        #expect(minimal.config.storage.redis == expected)
        #expect(expected.port == 6379 && expected.database == 0 && expected.keyPrefix == "tollgate:")
        #expect(expected.timeout == .milliseconds(50) && expected.onUnavailable == .failClosed)
        let full = diagnose(
            """
            storage:
              redis:
                url: redis://[::1]:6380/3
                password_file: secrets/redis
                key_prefix: "fleet-a:"
                timeout_ms: 20
                on_unavailable: local
            """
        )
        #expect(full.errors.isEmpty)
        expected = RedisStorageConfig(host: "::1")
        expected.port = 6380
        expected.database = 3
        expected.passwordFile = "/etc/tollgate/secrets/redis"
        expected.keyPrefix = "fleet-a:"
        expected.timeoutMilliseconds = 20
        expected.onUnavailable = .local
        #expect(full.config.storage.redis == expected)
    }

    @Test func urlsParse() {
        let named = RedisStorageConfig.parse(url: "redis://redis.internal:7000/")
        #expect(named?.host == "redis.internal" && named?.port == 7000 && named?.database == 0)
        let numbered = RedisStorageConfig.parse(url: "redis://10.0.0.5/15")
        #expect(numbered?.host == "10.0.0.5" && numbered?.port == 6379 && numbered?.database == 15)
        for bad in [
            "http://h", "redis://", "redis://h:0", "redis://h:70000", "redis://h/x", "redis://[::1", "redis://h h",
        ] {
            #expect(RedisStorageConfig.parse(url: bad) == nil, "\(bad)")
        }
    }

    @Test func badValuesAreReportedWithTheirLinesAndNoPassword() {
        #expect(
            errors(
                """
                storage:
                  redis:
                    url: redis://:hunter2@10.0.0.5:6379
                """
            ) == ["3: storage.redis.url: a password does not go in the URL; put it in 'password_file'"]
        )
        #expect(
            errors("storage:\n  redis:\n    url: redis://h:99999\n")
                == [
                    "3: storage.redis.url: expected a URL redis://host[:port][/db], with a port in 1...65535 "
                        + "and a db in 0...65535"
                ]
        )
        #expect(errors("storage:\n  redis:\n    timeout_ms: 5\n") == ["3: storage.redis: missing 'url'"])
        #expect(
            errors("storage:\n  redis:\n    url: redis://h\n    on_unavailable: open\n")
                == ["4: storage.redis.on_unavailable: expected fail_closed or local, got 'open'"]
        )
        #expect(
            errors("storage:\n  redis:\n    url: redis://h\n    timeout_ms: 0\n")
                == ["4: storage.redis.timeout_ms: expected an integer in 1...10000, got '0'"]
        )
        let unknown = errors("storage:\n  redis:\n    url: redis://h\n    passwrd: x\n")
        #expect(unknown.count == 1 && unknown[0].hasPrefix("4: unknown key 'storage.redis.passwrd'"))
    }
}

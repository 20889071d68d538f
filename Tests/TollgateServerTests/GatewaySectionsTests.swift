import Gateway
import Testing

@testable import TollgateServer

@Suite struct GatewaySectionsTests {
    private func diagnose(_ yaml: String, file: String = "tollgate.yaml") -> ConfigDiagnosis {
        ConfigLoader.diagnose(yaml: yaml, file: file)
    }

    /// The errors of `yaml` as `line: message`.
    private func errors(_ yaml: String) -> [String] {
        diagnose(yaml).errors.map { "\($0.line.map(String.init) ?? "-"): \($0.message)" }
    }

    static let example = """
        providers:
          - name: openai
            schema: openai
            base_url: https://api.openai.com/v1
            credential:
              file: /var/run/secrets/tollgate/openai
            headers: { OpenAI-Organization: org-123 }
          - name: azure
            schema: azure-openai
            base_url: https://my-resource.openai.azure.com
            credential: { env: AZURE_OPENAI_KEY }
            api_version: 2024-10-21
          - name: anthropic
            schema: anthropic
            base_url: https://api.anthropic.com
            credential: { env: ANTHROPIC_API_KEY }
            anthropic_version: 2023-06-01
          - name: local
            schema: openai
            base_url: http://127.0.0.1:8000/v1
        models:
          - name: gpt-4o-mini
            aliases: [fast, default]
            backends:
              - provider: openai
                model: gpt-4o-mini
                weight: 3
                priority: 0
              - provider: azure
                model: mini-deployment
                priority: 1
          - name: claude-sonnet
            backends:
              - provider: anthropic
                model: claude-3-5-sonnet-latest
          - name: llama
            backends:
              - provider: local
        keys:
          - name: team-a
            tenant: acme
            sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
            models: ["gpt-4o*", "claude-*"]
          - name: team-b
            sha256: BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD
        gateway:
          max_body_bytes: 1048576
          default_max_tokens: 1024
          reload_interval_seconds: 0.25

        """

    @Test func readsTheDocumentedExample() throws {
        let diagnosis = diagnose(Self.example)
        #expect(diagnosis.errors == [])
        let gateway = diagnosis.config.gatewayConfig

        #expect(gateway.providers.map(\.name) == ["openai", "azure", "anthropic", "local"])
        let openai = gateway.providers[0]
        #expect(openai.schema == .openai)
        #expect(openai.baseURL == UpstreamURL(scheme: .https, host: "api.openai.com", basePath: "/v1"))
        #expect(openai.credential == .file(path: "/var/run/secrets/tollgate/openai"))
        #expect(openai.extraHeaders == [ProviderHeader(name: "openai-organization", value: "org-123")])
        #expect(openai.apiVersion == nil)
        let azure = gateway.providers[1]
        #expect(azure.schema == .azureOpenAI)
        #expect(azure.credential == .environment(name: "AZURE_OPENAI_KEY"))
        // Written unquoted, YAML reads it as a date; it is kept as written.
        #expect(azure.apiVersion == "2024-10-21")
        #expect(gateway.providers[2].anthropicVersion == "2023-06-01")
        #expect(gateway.providers[3].credential == nil)
        #expect(gateway.providers[3].baseURL.port == 8000)
        // max_tokens_field unset: OpenAI and Azure get max_completion_tokens, other compatible APIs max_tokens.
        #expect(
            gateway.providers.map(\.maxTokensField) == [
                .maxCompletionTokens, .maxCompletionTokens, .maxTokens, .maxTokens,
            ]
        )

        #expect(gateway.models.map(\.name) == ["gpt-4o-mini", "claude-sonnet", "llama"])
        let mini = gateway.models[0]
        #expect(mini.aliases == ["fast", "default"])
        #expect(
            mini.backends == [
                BackendConfig(id: "gpt-4o-mini/0", provider: "openai", upstreamModel: "gpt-4o-mini", weight: 3),
                BackendConfig(id: "gpt-4o-mini/1", provider: "azure", upstreamModel: "mini-deployment", priority: 1),
            ]
        )
        // Without `model:` the upstream name is the public one.
        #expect(gateway.models[2].backends == [BackendConfig(id: "llama/0", provider: "local", upstreamModel: "llama")])

        #expect(gateway.keys.count == 2)
        #expect(gateway.keys[0].name == "team-a")
        #expect(gateway.keys[0].tenant == "acme")
        #expect(gateway.keys[0].sha256 == GatewayKeyDigest.sha256("test"))
        #expect(gateway.keys[0].models == [ModelPattern("gpt-4o*"), ModelPattern("claude-*")])
        #expect(gateway.keys[1].tenant == "default")
        #expect(gateway.keys[1].sha256 == GatewayKeyDigest.sha256("abc"))
        #expect(gateway.keys[1].models == [ModelPattern("*")])

        #expect(
            gateway.settings
                == GatewaySettings(maxBodyBytes: 1_048_576, defaultMaxTokens: 1024, reloadIntervalSeconds: 0.25)
        )

        // The compiled snapshot routes by alias and finds keys by their secret.
        let snapshot = GatewaySnapshot(config: gateway)
        #expect(snapshot.model(named: "fast")?.name == "gpt-4o-mini")
        #expect(snapshot.key(presented: "test")?.name == "team-a")
        #expect(snapshot.key(presented: "abc")?.name == "team-b")
        #expect(snapshot.models(allowedFor: gateway.keys[0]).map(\.name) == ["gpt-4o-mini", "claude-sonnet"])
    }

    @Test func noGatewaySectionsIsValidAndEmpty() throws {
        let diagnosis = diagnose("server:\n  listen: ':1'\n")
        #expect(diagnosis.errors == [])
        #expect(diagnosis.config.gatewayConfig == GatewayConfig())
        #expect(diagnose("providers:\nmodels: []\nkeys: ~\ngateway: {}\n").errors == [])
        #expect(try ConfigLoader.parse(yaml: "models: []\n", file: "t.yaml") == ServerConfig())
    }

    @Test func relativeCredentialFilesAreTakenFromTheConfigFilesDirectory() {
        let yaml = """
            providers:
              - { name: a, schema: openai, base_url: "http://h", credential: { file: secrets/a } }
              - { name: b, schema: openai, base_url: "http://h", credential: { file: /abs/b } }

            """
        let providers = diagnose(yaml, file: "/etc/tollgate/tollgate.yaml").config.providers.providers
        #expect(providers.map(\.credential) == [.file(path: "/etc/tollgate/secrets/a"), .file(path: "/abs/b")])
        let bare = diagnose(yaml, file: "tollgate.yaml").config.providers.providers
        #expect(bare.first?.credential == .file(path: "secrets/a"))
    }

    static let provider = "providers:\n  - name: p\n    schema: openai\n    base_url: http://h\n"

    @Test func maxTokensFieldOverridesTheDefault() {
        let yaml = """
            providers:
              - name: vllm
                schema: openai
                base_url: http://127.0.0.1:8000/v1
                max_tokens_field: max_completion_tokens
              - name: openai
                schema: openai
                base_url: https://API.openai.com/v1
                max_tokens_field: max_tokens
              - name: azure
                schema: azure-openai
                base_url: https://r.openai.azure.com
                api_version: 2024-06-01
                max_tokens_field: max_tokens
              - name: azure-v1
                schema: openai
                base_url: https://r.openai.azure.com/openai/v1
            """
        let diagnosis = diagnose(yaml)
        #expect(diagnosis.errors == [])
        #expect(
            diagnosis.config.gatewayConfig.providers.map(\.maxTokensField)
                == [.maxCompletionTokens, .maxTokens, .maxTokens, .maxCompletionTokens]
        )
    }

    /// Each rule, with the line it is reported on. Line numbers count from the start of each file.
    @Test(arguments: [
        // providers
        ("providers: {a: 1}\n", "1: providers: expected a list"),
        ("providers:\n  - openai\n", "2: providers[0]: expected a mapping of keys to values"),
        ("providers:\n  - schema: openai\n    base_url: http://h\n", "2: providers[0]: missing 'name'"),
        ("providers:\n  - name: p\n    base_url: http://h\n", "2: providers[0]: missing 'schema'"),
        ("providers:\n  - name: p\n    schema: openai\n", "2: providers[0]: missing 'base_url'"),
        (
            "providers:\n  - name: p q\n    schema: openai\n    base_url: http://h\n",
            "2: providers[0].name: expected a name of letters, digits, '-', '_' and '.', got 'p q'"
        ),
        (
            "providers:\n  - name: p\n    schema: gemini\n    base_url: http://h\n",
            "3: providers[0].schema: expected one of openai, azure-openai, anthropic, got 'gemini'"
        ),
        (
            "providers:\n  - name: p\n    schema: openai\n    base_url: ftp://h\n",
            "4: providers[0].base_url: expected \(UpstreamURL.expected), got 'ftp://h'"
        ),
        (
            "providers:\n  - name: p\n    schema: openai\n    base_url: api.openai.com\n",
            "4: providers[0].base_url: expected \(UpstreamURL.expected), got 'api.openai.com'"
        ),
        (
            provider + "  - name: p\n    schema: anthropic\n    base_url: http://h\n",
            "5: providers[1].name: provider 'p' is already defined on line 2"
        ),
        (
            provider + "    credential: { file: /a, env: A }\n",
            "5: providers[0].credential: expected exactly one of 'file' or 'env' (omit 'credential' for none)"
        ),
        (
            provider + "    credential: {}\n",
            "5: providers[0].credential: expected exactly one of 'file' or 'env' (omit 'credential' for none)"
        ),
        (
            provider + "    credential: { env: 1BAD }\n",
            "5: providers[0].credential.env: expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*), got a value of 4 characters (not shown)"
        ),
        (
            provider + "    credential:\n      path: /a\n",
            "6: unknown key 'providers[0].credential.path'; expected one of: file, env"
        ),
        (
            provider + "    credential: /a\n",
            "5: providers[0].credential: expected a mapping of keys to values"
        ),
        (
            "providers:\n  - name: p\n    schema: azure-openai\n    base_url: http://h\n",
            "2: providers[0]: missing 'api_version'"
        ),
        (
            provider + "    api_version: 2024-10-21\n",
            "5: providers[0].api_version: only providers with schema azure-openai take an api_version"
        ),
        (
            provider + "    anthropic_version: 2023-06-01\n",
            "5: providers[0].anthropic_version: only providers with schema anthropic take an anthropic_version"
        ),
        (
            provider + "    max_tokens_field: max_output_tokens\n",
            "5: providers[0].max_tokens_field: expected one of max_tokens, max_completion_tokens, got 'max_output_tokens'"
        ),
        (
            "providers:\n  - name: p\n    schema: anthropic\n    base_url: http://h\n    max_tokens_field: max_tokens\n",
            "5: providers[0].max_tokens_field: only providers with schema openai or azure-openai take a max_tokens_field"
        ),
        (
            provider + "    headers:\n      Bad Name: x\n",
            "6: providers[0].headers.Bad Name: expected an HTTP header name"
        ),
        (
            provider + "    headers:\n      Host: x\n",
            "6: providers[0].headers.Host: this header is set by Tollgate or Envoy and cannot be configured"
        ),
        (
            provider + "    headers:\n      x-tollgate-model: x\n",
            "6: providers[0].headers.x-tollgate-model: this header is set by Tollgate or Envoy and cannot be configured"
        ),
        (
            provider + "    credential: { env: K }\n    headers:\n      Authorization: Bearer x\n",
            "7: providers[0].headers.Authorization: this header carries the provider's credential; it is set from 'credential'"
        ),
        (
            provider + "    headers:\n      X-A: \"a\\nb\"\n",
            "6: providers[0].headers.X-A: the value may not contain line breaks or control characters"
        ),
        (
            provider + "    headers:\n      X-A: a\n      x-a: b\n",
            "7: providers[0].headers.x-a: header 'x-a' is given twice"
        ),
        (provider + "    headers: [a]\n", "5: providers[0].headers: expected a mapping of names to values"),
        (
            provider + "    timeout: 3\n",
            "5: unknown key 'providers[0].timeout'; expected one of: name, schema, base_url, credential, headers, api_version, anthropic_version, max_tokens_field"
        ),
        // models
        (provider + "models:\n  - name: m\n", "6: models[0]: missing 'backends'"),
        (provider + "models:\n  - name: m\n    backends: []\n", "7: models[0].backends: expected at least one backend"),
        (provider + "models:\n  - backends: [{ provider: p }]\n", "6: models[0]: missing 'name'"),
        (
            provider + "models:\n  - name: m\n    backends:\n      - model: x\n",
            "8: models[0].backends[0]: missing 'provider'"
        ),
        (
            provider + "models:\n  - name: m\n    backends:\n      - provider: nope\n",
            "8: models[0].backends[0].provider: no provider named 'nope'"
        ),
        (
            provider + "models:\n  - name: m\n    backends:\n      - provider: p\n        weight: 0\n",
            "9: models[0].backends[0].weight: expected an integer in 1...1000000, got '0'"
        ),
        (
            provider + "models:\n  - name: m\n    backends:\n      - provider: p\n        priority: 6\n",
            "9: models[0].backends[0].priority: expected an integer in 0...5, got '6'"
        ),
        (
            provider + "models:\n  - name: m\n    backends:\n      - provider: p\n        priority: -1\n",
            "9: models[0].backends[0].priority: expected an integer in 0...5, got '-1'"
        ),
        (
            provider + "models:\n  - name: m\n    backends:\n      - provider: p\n        region: eu\n",
            "9: unknown key 'models[0].backends[0].region'; expected one of: provider, model, weight, priority"
        ),
        (
            provider
                + "models:\n  - name: m\n    backends: [{ provider: p }]\n  - name: m\n    backends: [{ provider: p }]\n",
            "8: models[1].name: 'm' is already a model name or alias (line 6)"
        ),
        (
            provider
                + "models:\n  - name: m\n    aliases: [a]\n    backends: [{ provider: p }]\n  - name: n\n    aliases: [b, a]\n    backends: [{ provider: p }]\n",
            "10: models[1].aliases: 'a' is already a model name or alias (line 7)"
        ),
        (
            provider
                + "models:\n  - name: m\n    aliases: [n]\n    backends: [{ provider: p }]\n  - name: n\n    backends: [{ provider: p }]\n",
            "9: models[1].name: 'n' is already a model name or alias (line 7)"
        ),
        (
            provider + "models:\n  - name: m\n    aliases: [m]\n    backends: [{ provider: p }]\n",
            "7: models[0].aliases: 'm' is already a name or alias of this model (line 6)"
        ),
        (
            provider + "models:\n  - name: m\n    aliases:\n      - a\n      - a\n    backends: [{ provider: p }]\n",
            "9: models[0].aliases: 'a' is already a name or alias of this model (line 8)"
        ),
        (
            provider + "models:\n  - name: m\n    aliases: [\"has space\"]\n    backends: [{ provider: p }]\n",
            "7: models[0].aliases[0]: expected a name of 1 to 256 characters without spaces or control characters"
        ),
        // keys
        ("keys:\n  - name: k\n", "2: keys[0]: missing 'sha256'"),
        ("keys:\n  - sha256: \(String(repeating: "a", count: 64))\n", "2: keys[0]: missing 'name'"),
        (
            "keys:\n  - name: k\n    sha256: abc\n",
            "3: keys[0].sha256: expected 64 hex digits, the SHA-256 of the key, got a value of 3 characters (not shown)"
        ),
        (
            "keys:\n  - name: k\n    sha256: \(String(repeating: "g", count: 64))\n",
            "3: keys[0].sha256: expected 64 hex digits, the SHA-256 of the key, got a value of 64 characters (not shown)"
        ),
        (
            "keys:\n  - name: k\n    sha256: \(String(repeating: "a", count: 64))\n  - name: k\n    sha256: \(String(repeating: "b", count: 64))\n",
            "4: keys[1].name: key 'k' is already defined on line 2"
        ),
        (
            "keys:\n  - name: k\n    sha256: \(String(repeating: "a", count: 64))\n  - name: j\n    sha256: \(String(repeating: "A", count: 64))\n",
            "5: keys[1].sha256: the same digest as key 'k'"
        ),
        (
            "keys:\n  - name: k\n    sha256: \(String(repeating: "a", count: 64))\n    models: gpt\n",
            "4: keys[0].models: expected a list"
        ),
        (
            "keys:\n  - name: k\n    sha256: \(String(repeating: "a", count: 64))\n    models: [\"\"]\n",
            "4: keys[0].models[0]: expected a model name, alias or glob (* and ?)"
        ),
        (
            "keys:\n  - name: k\n    sha256: \(String(repeating: "a", count: 64))\n    key: tg-123\n",
            "4: unknown key 'keys[0].key'; expected one of: name, tenant, sha256, models"
        ),
        // gateway
        (
            "gateway:\n  max_body_bytes: 0\n",
            "2: gateway.max_body_bytes: expected an integer in 1...4294967295, got '0'"
        ),
        (
            "gateway:\n  default_max_tokens: many\n",
            "2: gateway.default_max_tokens: expected an integer in 1...10000000, got 'many'"
        ),
        (
            "gateway:\n  reload_interval_seconds: -1\n",
            "2: gateway.reload_interval_seconds: expected a number in 0...3600, got '-1'"
        ),
        (
            "gateway:\n  reload: 1\n",
            "2: unknown key 'gateway.reload'; expected one of: max_body_bytes, default_max_tokens, reload_interval_seconds"
        ),
    ])
    func eachRuleNamesItsLine(yaml: String, expected: String) {
        #expect(errors(yaml) == [expected])
    }

    @Test func everyErrorIsReportedInLineOrder() {
        let yaml = """
            providers:
              - name: good
                schema: openai
                base_url: http://h
              - name: bad
                schema: nope
                base_url: http://h
            models:
              - name: m
                backends: [{ provider: good, weight: 0 }]
              - name: n
                backends: [{ provider: good }]
            keys:
              - name: k
                sha256: short
            gateway:
              max_body_bytes: -5
            server:
              threads: many
            extra: 1

            """
        let diagnosis = diagnose(yaml)
        #expect(diagnosis.errors.map(\.line) == [6, 10, 15, 17, 19, 20])
        #expect(diagnosis.errors.allSatisfy { $0.file == "tollgate.yaml" })
        // The items without errors are kept.
        #expect(diagnosis.config.providers.providers.map(\.name) == ["good"])
        #expect(diagnosis.config.models.models.map(\.name) == ["n"])
        // The throwing API reports the first.
        #expect(throws: diagnosis.errors[0]) { try ConfigLoader.parse(yaml: yaml, file: "tollgate.yaml") }
    }

    @Test func aBadProviderDoesNotAlsoReportItsBackends() {
        let yaml = """
            providers:
              - name: p
                schema: nope
                base_url: http://h
            models:
              - name: m
                backends: [{ provider: p }]
              - name: n
                backends: [{ provider: q }]

            """
        // Without the refused provider, an unknown name may be that one: only the provider's own error.
        #expect(errors(yaml) == ["3: providers[0].schema: expected one of openai, azure-openai, anthropic, got 'nope'"])
    }

    @Test func namesMayBeWrittenAsNumbersAndHeadersKeepTheirOrder() {
        let yaml = """
            providers:
              - name: p
                schema: openai
                base_url: http://h
                headers:
                  X-B: 2
                  X-A: "one"
                  X-C: true
            models:
              - name: 4
                aliases: [4.0]
                backends: [{ provider: p, model: 2024-01-01 }]

            """
        let diagnosis = diagnose(yaml)
        #expect(diagnosis.errors == [])
        #expect(
            diagnosis.config.providers.providers[0].extraHeaders == [
                ProviderHeader(name: "x-b", value: "2"), ProviderHeader(name: "x-a", value: "one"),
                ProviderHeader(name: "x-c", value: "true"),
            ]
        )
        #expect(diagnosis.config.models.models[0].name == "4")
        #expect(diagnosis.config.models.models[0].aliases == ["4.0"])
        #expect(diagnosis.config.models.models[0].backends[0].upstreamModel == "2024-01-01")
    }

    @Test func aKeyOrSecretPastedByMistakeIsNotRepeated() {
        let yaml = """
            providers:
              - name: p
                schema: openai
                base_url: http://h
                credential: { env: sk-proj-abc123 }
            keys:
              - name: k
                sha256: tg-pasted-raw-key

            """
        let messages = diagnose(yaml).errors.map(\.message)
        #expect(messages.count == 2)
        #expect(!messages.contains { $0.contains("sk-proj-abc123") || $0.contains("tg-pasted-raw-key") })
    }

    @Test func aFileThatCannotBeReadIsOneError() {
        let diagnosis = ConfigLoader.diagnose(file: "/nonexistent/tollgate.yaml")
        #expect(diagnosis.errors.count == 1)
        #expect(diagnosis.errors.first?.file == "/nonexistent/tollgate.yaml")
        #expect(diagnosis.errors.first?.message.hasPrefix("cannot read the config file") == true)
    }
}

import ArgumentParser
import Gateway
import Testing

@testable import TollgateServer

@Suite struct ConfigCheckTests {
    private func check(
        _ files: ConfigTestFiles,
        _ arguments: [String] = [],
        environment: [String: String] = [:]
    ) throws
        -> ConfigCheck.Report
    {
        let options = try ServerOptions.parse(["--config", files.path("tollgate.yaml")] + arguments)
        return ConfigCheck.run(options: options, environment: environment)
    }

    @Test func aGoodFilePrintsOkAndASummaryWithoutSecrets() throws {
        let files = try ConfigTestFiles()
        try files.write("key", "sk-secret-from-file\n")
        try files.write(
            "tollgate.yaml",
            """
            server:
              socket: /tmp/tollgate-check.sock
            providers:
              - name: openai
                schema: openai
                base_url: https://api.openai.com/v1
                credential: { file: key }
              - name: groq
                schema: openai
                base_url: https://api.groq.com/openai/v1
                credential: { env: GROQ_API_KEY }
            models:
              - name: gpt-4o-mini
                aliases: [fast]
                backends:
                  - { provider: openai }
                  - { provider: groq, model: llama-3.1-8b-instant, weight: 2, priority: 1 }
            keys:
              - name: team-a
                tenant: acme
                sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
                models: ["gpt-*"]

            """
        )
        let report = try check(files, environment: ["GROQ_API_KEY": "gsk-secret-from-env"])
        #expect(report.ok)
        #expect(
            report.lines == [
                "ok",
                "providers: 2",
                "  openai: openai https://api.openai.com/v1, credential file \(files.path("key"))",
                "  groq: openai https://api.groq.com/openai/v1, credential env GROQ_API_KEY",
                "models: 1",
                "  gpt-4o-mini (aliases: fast) -> openai/gpt-4o-mini weight 1 priority 0; groq/llama-3.1-8b-instant weight 2 priority 1",
                "keys: 1",
                "  team-a: tenant acme, models gpt-*",
            ]
        )
        let text = report.lines.joined(separator: "\n")
        #expect(!text.contains("sk-secret") && !text.contains("gsk-secret") && !text.contains("9f86d0"))
    }

    @Test func everyErrorIsPrintedWithItsFileAndLine() throws {
        let files = try ConfigTestFiles()
        try files.write(
            "tollgate.yaml",
            """
            server:
              socket: /tmp/tollgate-check.sock
            providers:
              - name: openai
                schema: open-ai
                base_url: https://api.openai.com/v1
            keys:
              - name: k
                sha256: 1234

            """
        )
        let report = try check(files)
        #expect(!report.ok)
        let path = files.path("tollgate.yaml")
        #expect(
            report.lines == [
                "\(path):5: providers[0].schema: expected one of openai, azure-openai, anthropic, got 'open-ai'",
                "\(path):9: keys[0].sha256: expected 64 hex digits, the SHA-256 of the key, got a value of 4 characters (not shown)",
            ]
        )
    }

    @Test func missingCredentialsAndListenersFailLikeServeWould() throws {
        let files = try ConfigTestFiles()
        try files.write(
            "tollgate.yaml",
            "providers:\n  - { name: p, schema: openai, base_url: \"http://h\", credential: { env: NOT_SET } }\n"
        )
        let noListener = try check(files)
        #expect(!noListener.ok)
        #expect(
            noListener.lines == [
                ConfigError(
                    file: nil,
                    line: nil,
                    message: "no ext_proc listener: set server.listen or server.socket, or pass --listen or --socket"
                ).description
            ]
        )

        // The same flags as serve: with a socket, the credential is what is missing.
        let missing = try check(files, ["--socket", "/tmp/t.sock"])
        #expect(
            missing.lines == [
                "\(files.path("tollgate.yaml")):2: provider 'p': credential env NOT_SET: the variable is not set"
            ]
        )
        let fine = try check(files, ["--socket", "/tmp/t.sock"], environment: ["NOT_SET": "x"])
        #expect(fine.ok && fine.lines.first == "ok")
    }

    @Test func aMissingFileIsOneError() throws {
        let files = try ConfigTestFiles()
        let report = try check(files)
        #expect(!report.ok)
        #expect(report.lines.count == 1)
        #expect(report.lines[0].hasPrefix("\(files.path("tollgate.yaml")): cannot read the config file"))
    }

    @Test func theKeyEntryReadsBackAndFindsTheKey() throws {
        let key = GatewayKeyGenerator.generate()
        let entry = KeysSection.entry(
            name: "team \"q\"\\",
            tenant: "acme",
            sha256: GatewayKeyDigest.sha256(key),
            models: ["gpt-4o*", "claude-?", "fast"]
        )
        // Names with spaces are refused by the loader; quoting must still round-trip what it can.
        let config = ConfigLoader.diagnose(yaml: "keys:\n" + entry, file: "t.yaml")
        #expect(
            config.errors.map(\.message) == ["keys[0].name: expected \(ConfigNames.nameExpected), got 'team \"q\"\\'"]
        )

        let good = KeysSection.entry(
            name: "team-\"q\"\\",
            tenant: "acme",
            sha256: GatewayKeyDigest.sha256(key),
            models: ["gpt-4o*", "claude-?", "fast"]
        )
        let parsed = try ConfigLoader.parse(yaml: "keys:\n" + good, file: "t.yaml")
        let stored = try #require(parsed.keys.keys.first)
        #expect(stored.name == "team-\"q\"\\")
        #expect(stored.tenant == "acme")
        #expect(stored.models.map(\.pattern) == ["gpt-4o*", "claude-?", "fast"])
        #expect(GatewaySnapshot(config: parsed.gatewayConfig).key(presented: key)?.name == stored.name)
        #expect(!good.contains(key))
        #expect(KeysSection.isValidName("team-a"))
        #expect(!KeysSection.isValidName("team a"))
        #expect(!KeysSection.isValidName(""))
    }
}

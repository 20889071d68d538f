import Gateway
import Testing

@testable import TollgateServer

@Suite struct CredentialLoadTests {
    private func config(_ files: ConfigTestFiles, _ credentials: [String]) throws -> ServerConfig {
        var yaml = "providers:\n"
        for (index, credential) in credentials.enumerated() {
            yaml += "  - name: p\(index)\n    schema: openai\n    base_url: http://h\n    credential: \(credential)\n"
        }
        return try ConfigLoader.parse(yaml: yaml, file: files.path("tollgate.yaml"))
    }

    @Test func filesAreTrimmedAndEnvironmentVariablesRead() throws {
        let files = try ConfigTestFiles()
        try files.write("a", "  sk-file-secret \n\n")
        try files.write("b", "sk-crlf\r\n")
        let config = try config(files, ["{ file: a }", "{ file: b }", "{ env: KEY_A }"])
        let load = config.loadCredentials(file: "tollgate.yaml", environment: ["KEY_A": " sk-env\n"])
        #expect(load.errors == [])
        #expect(load.kept == [])
        #expect(load.credentials == ["p0": "sk-file-secret", "p1": "sk-crlf", "p2": "sk-env"])
        let snapshot = try config.makeGatewaySnapshot(file: "tollgate.yaml", environment: ["KEY_A": "sk-env"])
        #expect(snapshot.credential(forProvider: "p0") == "sk-file-secret")
        #expect(snapshot.credential(forProvider: "p2") == "sk-env")
    }

    @Test func unreadableCredentialsAreErrorsOnTheirLineWithoutTheSecret() throws {
        let files = try ConfigTestFiles()
        try files.write("empty", " \n")
        try files.write("multi", "sk-line-one\nsk-line-two\n")
        let config = try config(files, ["{ file: missing }", "{ file: empty }", "{ file: multi }", "{ env: UNSET }"])
        let load = config.loadCredentials(file: "tollgate.yaml", environment: [:])
        #expect(load.credentials == [:])
        #expect(
            load.errors.map(\.description) == [
                "tollgate.yaml:5: provider 'p0': credential file \(files.path("missing")): cannot read the file: No such file or directory",
                "tollgate.yaml:9: provider 'p1': credential file \(files.path("empty")): it is empty",
                "tollgate.yaml:13: provider 'p2': credential file \(files.path("multi")): it contains line breaks or control characters",
                "tollgate.yaml:17: provider 'p3': credential env UNSET: the variable is not set",
            ]
        )
        #expect(!load.errors.contains { $0.message.contains("sk-line") })
        #expect(throws: load.errors[0]) { try config.makeGatewaySnapshot(file: "tollgate.yaml", environment: [:]) }
    }

    @Test func aFailedReadKeepsThePreviousValueOfTheSameSource() throws {
        let files = try ConfigTestFiles()
        try files.write("a", "sk-old")
        let config = try config(files, ["{ file: a }", "{ env: GONE }"])
        let previous = try config.makeGatewaySnapshot(file: nil, environment: ["GONE": "sk-env-old"])
        try files.remove("a")

        let load = config.loadCredentials(file: nil, environment: [:], previous: previous)
        #expect(load.errors == [])
        #expect(load.credentials == ["p0": "sk-old", "p1": "sk-env-old"])
        #expect(load.kept.count == 2)
        #expect(load.kept.allSatisfy { $0.message.hasSuffix("; keeping the previous value") })
        #expect(!load.kept.contains { $0.message.contains("sk-old") || $0.message.contains("sk-env-old") })

        // A provider whose source changed has no previous value to keep.
        let moved = try self.config(files, ["{ file: other }"])
        let movedLoad = moved.loadCredentials(file: nil, environment: [:], previous: previous)
        #expect(movedLoad.credentials == [:])
        #expect(movedLoad.errors.count == 1)
    }

    @Test func providersWithoutCredentialsNeedNothing() throws {
        let config = try ConfigLoader.parse(
            yaml: "providers:\n  - { name: local, schema: openai, base_url: \"http://127.0.0.1:8000\" }\n",
            file: "t.yaml"
        )
        let load = config.loadCredentials(file: "t.yaml", environment: [:])
        #expect(load.errors == [] && load.credentials == [:])
    }
}

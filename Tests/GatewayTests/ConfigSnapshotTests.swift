import Gateway
import Testing

@Suite struct ConfigSnapshotTests {
    static let openai = ProviderConfig(
        name: "openai",
        schema: .openai,
        baseURL: UpstreamURL(scheme: .https, host: "api.openai.com", basePath: "/v1"),
        credential: .environment(name: "OPENAI_API_KEY")
    )
    static let azure = ProviderConfig(
        name: "azure",
        schema: .azureOpenAI,
        baseURL: UpstreamURL(scheme: .https, host: "r.openai.azure.com"),
        credential: .file(path: "/secrets/azure"),
        apiVersion: "2024-10-21"
    )
    static let local = ProviderConfig(
        name: "local",
        schema: .openai,
        baseURL: UpstreamURL(scheme: .http, host: "127.0.0.1", port: 8000, basePath: "/v1")
    )

    static let mini = ModelConfig(
        name: "gpt-4o-mini",
        aliases: ["fast", "default"],
        backends: [
            BackendConfig(id: "gpt-4o-mini/0", provider: "openai", upstreamModel: "gpt-4o-mini"),
            BackendConfig(id: "gpt-4o-mini/1", provider: "azure", upstreamModel: "mini-deployment", priority: 1),
        ]
    )
    static let claude = ModelConfig(
        name: "claude-sonnet",
        backends: [BackendConfig(id: "claude-sonnet/0", provider: "local", upstreamModel: "claude-x")]
    )
    static let llama = ModelConfig(
        name: "llama-3",
        aliases: ["cheap"],
        backends: [BackendConfig(id: "llama-3/0", provider: "local", upstreamModel: "meta/llama-3")]
    )

    static let everything = GatewayKeyConfig(name: "all", tenant: "acme", sha256: GatewayKeyDigest.sha256("k-all"))
    static let gptOnly = GatewayKeyConfig(
        name: "gpt",
        tenant: "acme",
        sha256: GatewayKeyDigest.sha256("k-gpt"),
        models: [ModelPattern("gpt-*")]
    )
    static let byAlias = GatewayKeyConfig(
        name: "alias",
        tenant: "beta",
        sha256: GatewayKeyDigest.sha256("k-alias"),
        models: [ModelPattern("cheap"), ModelPattern("claude-?onnet")]
    )
    static let nothing = GatewayKeyConfig(
        name: "none",
        sha256: GatewayKeyDigest.sha256("k-none"),
        models: []
    )

    let snapshot = GatewaySnapshot(
        config: GatewayConfig(
            providers: [openai, azure, local],
            models: [mini, claude, llama],
            keys: [everything, gptOnly, byAlias, nothing],
            settings: GatewaySettings(maxBodyBytes: 1000)
        ),
        credentials: ["openai": "sk-openai", "azure": "az-key"]
    )

    @Test func modelsResolveByNameAndAlias() {
        #expect(snapshot.model(named: "gpt-4o-mini") == Self.mini)
        #expect(snapshot.model(named: "fast") == Self.mini)
        #expect(snapshot.model(named: "default") == Self.mini)
        #expect(snapshot.model(named: "cheap") == Self.llama)
        #expect(snapshot.model(named: "claude-sonnet") == Self.claude)
        #expect(snapshot.model(named: "Fast") == nil)
        #expect(snapshot.model(named: "gpt-4o") == nil)
        #expect(snapshot.model(named: "") == nil)
    }

    @Test func aNameWinsOverAnAliasOfTheSameSpelling() {
        // The loader refuses this; the snapshot still answers predictably.
        let clash = ModelConfig(name: "a", aliases: ["b"], backends: [])
        let named = ModelConfig(name: "b", backends: [])
        let snapshot = GatewaySnapshot(config: GatewayConfig(models: [clash, named]))
        #expect(snapshot.model(named: "b")?.name == "b")
    }

    @Test func providersBackendsAndCredentials() throws {
        #expect(snapshot.provider(named: "azure") == Self.azure)
        #expect(snapshot.provider(named: "nope") == nil)
        #expect(snapshot.credential(forProvider: "openai") == "sk-openai")
        #expect(snapshot.credential(forProvider: "local") == nil)

        let backend = try #require(snapshot.backend(id: "gpt-4o-mini/1"))
        #expect(backend.model == Self.mini)
        #expect(backend.backend.upstreamModel == "mini-deployment")
        #expect(backend.provider == Self.azure)
        #expect(backend.credential == "az-key")
        #expect(snapshot.backend(id: "llama-3/0")?.credential == nil)
        #expect(snapshot.backend(id: "llama-3/0")?.provider == Self.local)
        #expect(snapshot.backend(id: "gpt-4o-mini/2") == nil)
        #expect(snapshot.backend(id: "fast/0") == nil)
        #expect(snapshot.settings.maxBodyBytes == 1000)
    }

    @Test func keysAreFoundByTheirSecret() {
        #expect(snapshot.key(presented: "k-gpt") == Self.gptOnly)
        #expect(snapshot.key(presented: Array("k-alias".utf8)) == Self.byAlias)
        #expect(snapshot.key(presented: "k-gp") == nil)
        #expect(snapshot.key(presented: "sk-openai") == nil)
    }

    @Test func keysSeeOnlyTheirModels() {
        #expect(
            snapshot.models(allowedFor: Self.everything).map(\.name) == ["gpt-4o-mini", "claude-sonnet", "llama-3"]
        )
        #expect(snapshot.models(allowedFor: Self.gptOnly).map(\.name) == ["gpt-4o-mini"])
        // A pattern may name an alias; `?` matches one character.
        #expect(snapshot.models(allowedFor: Self.byAlias).map(\.name) == ["claude-sonnet", "llama-3"])
        #expect(snapshot.models(allowedFor: Self.nothing).isEmpty)

        #expect(snapshot.isAllowed(Self.mini, for: Self.gptOnly))
        #expect(!snapshot.isAllowed(Self.llama, for: Self.gptOnly))
        #expect(snapshot.isAllowed(Self.llama, for: Self.byAlias))
        #expect(!snapshot.isAllowed(Self.mini, for: Self.nothing))
    }

    @Test func aKeyFromElsewhereIsJudgedByItsOwnPatterns() {
        // Same name as a key of the snapshot, other patterns: its own patterns decide.
        let impostor = GatewayKeyConfig(
            name: "gpt",
            sha256: GatewayKeyDigest.sha256("x"),
            models: [ModelPattern("llama-*")]
        )
        #expect(snapshot.isAllowed(Self.llama, for: impostor))
        #expect(!snapshot.isAllowed(Self.mini, for: impostor))
    }

    @Test func theEmptySnapshotKnowsNothing() {
        let empty = GatewaySnapshot.empty
        #expect(empty.models.isEmpty)
        #expect(empty.model(named: "gpt-4o-mini") == nil)
        #expect(empty.key(presented: "k-all") == nil)
        #expect(empty.settings == GatewaySettings())
        #expect(empty.settings.maxBodyBytes == 10 * 1024 * 1024)
        #expect(empty.settings.defaultMaxTokens == 4096)
        #expect(empty.settings.reloadIntervalSeconds == 1)
    }
}

import ExtProc
import Foundation
import Gateway
import Logging
import Synchronization
import Telemetry
import Testing

/// A configuration with one provider of each schema (plus a keyless local one and one whose
/// credential could not be read), models with aliases, and keys with different permissions.
enum GatewayFixture {
    static let openai = ProviderConfig(
        name: "openai",
        schema: .openai,
        baseURL: UpstreamURL(scheme: .https, host: "api.openai.com", basePath: "/v1"),
        credential: .environment(name: "OPENAI_API_KEY"),
        extraHeaders: [ProviderHeader(name: "openai-organization", value: "org-123")]
    )
    static let azure = ProviderConfig(
        name: "azure",
        schema: .azureOpenAI,
        baseURL: UpstreamURL(scheme: .https, host: "myres.openai.azure.com"),
        credential: .file(path: "/secrets/azure"),
        apiVersion: "2024-10-21"
    )
    static let anthropic = ProviderConfig(
        name: "anthropic",
        schema: .anthropic,
        baseURL: UpstreamURL(scheme: .https, host: "api.anthropic.com"),
        credential: .environment(name: "ANTHROPIC_API_KEY")
    )
    static let local = ProviderConfig(
        name: "local",
        schema: .openai,
        baseURL: UpstreamURL(scheme: .http, host: "127.0.0.1", port: 8081, basePath: "/openai/v1")
    )
    /// Has a credential source whose secret is missing from the snapshot.
    static let broken = ProviderConfig(
        name: "broken",
        schema: .openai,
        baseURL: UpstreamURL(scheme: .https, host: "broken.example"),
        credential: .file(path: "/secrets/missing")
    )

    static let credentials = [
        "openai": "sk-openai-secret",
        "azure": "az-secret",
        "anthropic": "sk-ant-secret",
    ]

    static let mini = ModelConfig(
        name: "gpt-4o-mini",
        aliases: ["fast", "default"],
        backends: [
            BackendConfig(id: "gpt-4o-mini/0", provider: "openai", upstreamModel: "gpt-4o-mini-2024-07-18"),
            BackendConfig(id: "gpt-4o-mini/1", provider: "azure", upstreamModel: "my-deployment", priority: 1),
        ]
    )
    static let claude = ModelConfig(
        name: "claude-sonnet",
        aliases: ["sonnet"],
        backends: [BackendConfig(id: "claude-sonnet/0", provider: "anthropic", upstreamModel: "claude-sonnet-4-5")]
    )
    static let llama = ModelConfig(
        name: "llama",
        backends: [BackendConfig(id: "llama/0", provider: "local", upstreamModel: "meta-llama/Llama-3.1-8B")]
    )
    static let brokenModel = ModelConfig(
        name: "broken-model",
        backends: [BackendConfig(id: "broken-model/0", provider: "broken", upstreamModel: "x")]
    )

    /// Key text → config. `team-a` may use GPT models, llama and the broken one; `team-b` only Claude.
    static let teamAKey = "tg-team-a-key"
    static let teamBKey = "tg-team-b-key"
    static let adminKey = "tg-admin-key"
    static let keys = [
        GatewayKeyConfig(
            name: "team-a",
            tenant: "acme",
            sha256: GatewayKeyDigest.sha256(teamAKey),
            models: [ModelPattern("gpt-*"), ModelPattern("llama"), ModelPattern("broken-model")]
        ),
        GatewayKeyConfig(
            name: "team-b",
            tenant: "beta",
            sha256: GatewayKeyDigest.sha256(teamBKey),
            models: [ModelPattern("claude-*")]
        ),
        GatewayKeyConfig(name: "admin", tenant: "ops", sha256: GatewayKeyDigest.sha256(adminKey)),
    ]

    static func config(maxBodyBytes: Int = 4096) -> GatewayConfig {
        GatewayConfig(
            providers: [openai, azure, anthropic, local, broken],
            models: [mini, claude, llama, brokenModel],
            keys: keys,
            settings: GatewaySettings(maxBodyBytes: maxBodyBytes)
        )
    }

    static func snapshot(maxBodyBytes: Int = 4096) -> GatewaySnapshot {
        GatewaySnapshot(config: config(maxBodyBytes: maxBodyBytes), credentials: credentials)
    }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let start = ContinuousClock.now
    private let instant: Mutex<ContinuousClock.Instant>
    /// The wall-clock time when the clock was made: 2023-11-14T22:13:20Z.
    static let startWallTime = UnixTime(seconds: 1_700_000_000)

    init() {
        instant = Mutex(start)
    }

    var now: ContinuousClock.Instant { instant.withLock { $0 } }

    /// The wall clock, moved along with `now`.
    var wallTime: UnixTime { Self.startWallTime + (now - start) }

    func advance(by duration: Duration) {
        instant.withLock { $0 += duration }
    }
}

/// Keeps every completion it is told of, in order.
final class RecordingObserver: RequestObserver {
    private let recorded = Mutex<[RequestCompletion]>([])

    func requestDidComplete(_ completion: RequestCompletion) {
        recorded.withLock { $0.append(completion) }
    }

    var completions: [RequestCompletion] { recorded.withLock { $0 } }
}

/// A gateway as `tollgate serve` builds it, with a hand-moved clock, its own metrics and an
/// observer that records every completion.
struct GatewayHarness {
    let factory: GatewayHandlerFactory
    let snapshots: GatewaySnapshotStore
    let requests: RequestStore
    let clock = ManualClock()
    let registry = MetricsRegistry()
    let observer = RecordingObserver()

    let counters: LocalRateLimitStore
    /// Whether each reply counts as written as soon as it is returned, as the transport would have
    /// it a moment later; off, a test runs `performDeferredWork` itself.
    let writesRepliesAtOnce: Bool

    init(
        snapshot: GatewaySnapshot = GatewayFixture.snapshot(),
        counters: LocalRateLimitStore = LocalRateLimitStore(),
        writesRepliesAtOnce: Bool = true
    ) {
        self.counters = counters
        self.writesRepliesAtOnce = writesRepliesAtOnce
        snapshots = GatewaySnapshotStore(snapshot)
        requests = RequestStore(shardCount: 4)
        let clock = clock
        factory = GatewayHandlerFactory(
            snapshotStore: snapshots,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            metrics: registry,
            requestStore: requests,
            observer: observer,
            limiter: RateLimiter(store: counters),
            now: { clock.now },
            wallClock: { clock.wallTime }
        )
    }

    func stream() -> any ExtProcStreamHandler {
        let handler = factory.makeStreamHandler()
        return writesRepliesAtOnce ? WrittenAtOnce(handler) : handler
    }

    /// A router-level exchange up to its body. Returns the handler (still open), the replies sent
    /// after the headers (none: held for the body) and the routing reply: the held headers reply
    /// sent after the body, or the refusal.
    func route(
        path: String = "/v1/chat/completions",
        key: String = GatewayFixture.teamAKey,
        body: String
    ) -> (handler: any ExtProcStreamHandler, headers: [ProcessingReply], body: ProcessingResponse) {
        let handler = stream()
        let headers = handler.replies(
            to: .headers([(":method", "POST"), (":path", path), ("authorization", "Bearer " + key)])
        )
        let replies = handler.replies(to: .body(body))
        return (handler, headers, replies.first?.response ?? .held)
    }

    func metric(_ line: String) -> Bool {
        registry.renderPrometheus().split(separator: "\n").contains { $0 == line }
    }
}

/// The attributes the upstream ext_proc filter sends, as Envoy 1.40 does (a text-format string).
func upstreamAttributes(backend: String?) -> [String: ProtoStruct] {
    let text: String
    if let backend {
        text =
            #"filter_metadata { key: "envoy.transport_socket_match" value { fields { key: "provider" value { string_value: "openai" } } } } filter_metadata { key: "tollgate" value { fields { key: "backend" value { string_value: ""#
            + backend + #"" } } } } "#
    } else {
        text = "NULL"
    }
    return [UpstreamHostMetadata.attributesKey: [UpstreamHostMetadata.attribute: .string(text)]]
}

extension ProcessingRequest {
    static func headers(
        _ fields: [(String, String)],
        endOfStream: Bool = false,
        attributes: [String: ProtoStruct] = [:]
    ) -> ProcessingRequest {
        ProcessingRequest(
            payload: .requestHeaders(
                HTTPHeaders(fields: fields.map { HeaderField(name: $0.0, value: $0.1) }, endOfStream: endOfStream)
            ),
            attributes: attributes
        )
    }

    static func body(_ text: String) -> ProcessingRequest {
        body(Array(text.utf8))
    }

    static func body(_ bytes: [UInt8]) -> ProcessingRequest {
        ProcessingRequest(payload: .requestBody(HTTPBody(bytes: bytes, endOfStream: true)))
    }
}

extension ExtProcStreamHandler {
    /// For tests that go one message at a time: the reply answering `request`, or `.held` when the
    /// handler holds it; a refusal answering a later phase counts too.
    func handle(_ request: ProcessingRequest) -> ProcessingResponse {
        let replies = self.replies(to: request)
        return replies.last { $0.phase == request.phase }?.response ?? replies.first?.response ?? .held
    }
}

extension ProcessingResponse {
    /// What `handle` gives for a held reply (no reply on the wire is ever this).
    static let held = ProcessingResponse(.continue(CommonResponse()), dynamicMetadata: ["held": true])

    var immediate: ImmediateResponse? {
        if case .immediate(let response) = decision { return response }
        return nil
    }

    var common: CommonResponse? {
        if case .continue(let response) = decision { return response }
        return nil
    }

    /// The value set for header `name`, if the reply sets it.
    func setHeader(_ name: String) -> String? {
        common?.headerMutation.setHeaders.first { $0.header.name == name }?.header.value
    }

    /// The request id a routing reply sends as dynamic metadata (`tollgate.request`).
    var routedRequestID: String? {
        guard case .structure(let tollgate) = dynamicMetadata?["tollgate"], case .string(let id) = tollgate["request"]
        else { return nil }
        return id
    }

    var removedHeaders: [String] {
        common?.headerMutation.removeHeaders ?? []
    }

    var replacedBody: [UInt8]? {
        if case .replace(let bytes) = common?.bodyMutation { return bytes }
        return nil
    }
}

/// The JSON object in `bytes`, through Foundation.
func jsonObject(_ bytes: [UInt8]) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
}

/// `error.type` or `error.code` of an error body in either dialect.
func errorField(_ response: ImmediateResponse?, _ field: String) throws -> String? {
    let response = try #require(response)
    let root = try jsonObject(response.body)
    return (root["error"] as? [String: Any])?[field] as? String
}

/// Foundation's JSON values as comparable text: key order and number bridging do not matter.
func jsonCanonical(_ value: Any) -> String {
    if let text = value as? String { return "s:" + text }
    if value is NSNull { return "null" }
    if let array = value as? [Any] { return "[" + array.map(jsonCanonical).joined(separator: ",") + "]" }
    if let object = value as? [String: Any] {
        return "{" + object.keys.sorted().map { "\($0)=" + jsonCanonical(object[$0]!) }.joined(separator: ",") + "}"
    }
    return "n:\(value)"
}

/// A stream handler whose replies count as written as soon as they are returned: what
/// `ExtProcStream` and the connection do for a handler with deferred work, without a socket.
final class WrittenAtOnce: ExtProcStreamHandler {
    private let handler: any ExtProcStreamHandler

    init(_ handler: any ExtProcStreamHandler) {
        self.handler = handler
    }

    func replies(to request: ProcessingRequest) -> [ProcessingReply] {
        let replies = handler.replies(to: request)
        if handler.hasDeferredWork { handler.performDeferredWork() }
        return replies
    }

    func streamDidEnd(_ ending: ExtProcStreamEnding) {
        handler.streamDidEnd(ending)
    }
}

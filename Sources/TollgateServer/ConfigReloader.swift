import Foundation
import Gateway
import Logging
import Synchronization
import Telemetry

/// Hot reload of the gateway's sections: polls the config file and every credential file, and on a
/// change reads, validates and compiles a new `GatewaySnapshot` and swaps it into the store.
///
/// A change is any difference in `stat` of the path, following symlinks (see `FileIdentity`), so
/// Kubernetes' symlink swaps of ConfigMap and Secret mounts are seen. A file that does not validate
/// changes nothing: the running snapshot stays, the errors are logged (config errors quote the file,
/// which holds no secrets, never a credential) and `tollgate_config_reload_failures_total` counts it.
/// An applied change counts in `tollgate_config_reloads_total`. A credential file that cannot be read
/// on reload keeps its previous value, logged and counted in `tollgate_credential_read_failures_total`.
///
/// Only `providers:`, `models:`, `keys:` and `gateway:` are reloaded; `server:` and `log:` changes
/// need a restart (a notice says so). The first poll always reads the file, which closes the window
/// between the startup read and the reloader's first `stat`; it swaps only if something differs.
/// A file modified within the last two seconds is read again at the next poll (timestamps advance in
/// kernel ticks); what was read is compared with the last poll's, so nothing is counted twice.
public final class ConfigReloader: Sendable {
    /// What one poll did.
    public enum Outcome: Sendable, Equatable {
        /// No file changed, or the change left the gateway's config and credentials as they were.
        case unchanged
        /// A new snapshot is running.
        case reloaded
        /// The change was refused; the running snapshot stays.
        case rejected
    }

    public let configFile: String
    public let store: GatewaySnapshotStore
    private let environment: [String: String]
    private let logger: Logger
    private let reloads: Counter
    private let failures: Counter
    private let credentialFailures: Counter
    private let hookFailures: Counter
    private let beforeSwap: @Sendable (GatewayConfig) throws -> Void
    private let settleSeconds: Double
    private let state: Mutex<State>
    private let thread: ThreadControl

    private struct State: Sendable {
        /// The identities of the config file and the watched credential files at the last poll;
        /// nil until the first poll, which therefore always reads the files.
        var identities: Identities?
        /// Whether a file was modified so recently at the last poll that a later write within the
        /// same timestamp tick could leave its identity unchanged; then the next poll reads again.
        var recent = false
        /// What the last processed poll read; a poll that reads the same is not processed again, so a
        /// file that is touched, or re-read while recent, is neither counted nor logged twice.
        var lastInput: Input?
        /// The last config read without errors (applied or not): its credential files are watched,
        /// so a reload refused for a missing credential file is retried when the file appears.
        var watched: ServerConfig?
        /// `server:` and `log:` as the file last had them (the running values may come from flags),
        /// to note that changing them needs a restart; nil until the first file read.
        var fileSections: FileSections?
        var interval: Double
    }

    private struct FileSections: Sendable, Equatable {
        var server: ServerSection
        var log: LogSection
    }

    private struct Identities: Sendable, Equatable {
        var config: FileIdentity
        var credentials: [String: FileIdentity]

        func isRecent(now: Double, window: Double) -> Bool {
            ([config] + Array(credentials.values)).contains { $0.isModified(after: now - window) }
        }
    }

    /// Everything a reload depends on. It holds secrets, like the snapshot; it is never logged.
    private struct Input: Sendable, Equatable {
        var text: String?
        var credentials: [String: String] = [:]
        var problems: [ConfigError] = []
    }

    /// A file modified less than this many seconds before a poll is read again at the next poll:
    /// file timestamps advance in kernel ticks, so two same-size writes within one tick look alike.
    public static let defaultSettleSeconds: Double = 2

    /// - Parameters:
    ///   - configFile: the file to watch, as given to `--config`.
    ///   - store: holds the running snapshot, built at startup from the same file.
    ///   - loaded: the config read at startup; its credential files are watched from the start.
    ///   - interval: seconds between polls; by default `gateway.reload_interval_seconds` of `loaded`.
    ///   - beforeSwap: called with an accepted config just before its snapshot is swapped in, on the
    ///     reloader's thread (serve writes Envoy's xDS files here, so routes exist before Tollgate uses
    ///     them). If it throws, the error is logged and counted in `tollgate_envoy_xds_write_failures_total`,
    ///     and the snapshot is swapped in all the same.
    ///   - settleSeconds: files modified this recently are read again at the next poll; tests pass 0
    ///     to see changes found by identity alone.
    public init(
        configFile: String,
        store: GatewaySnapshotStore,
        loaded: ServerConfig,
        registry: MetricsRegistry,
        logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        interval: Double? = nil,
        beforeSwap: @escaping @Sendable (GatewayConfig) throws -> Void = { _ in },
        settleSeconds: Double = ConfigReloader.defaultSettleSeconds
    ) {
        self.configFile = configFile
        self.store = store
        self.environment = environment
        self.logger = logger
        reloads = registry.counter(
            "tollgate_config_reloads_total",
            help: "Config file changes applied by hot reload."
        )
        failures = registry.counter(
            "tollgate_config_reload_failures_total",
            help: "Config file changes refused by hot reload; the running config was kept."
        )
        credentialFailures = registry.counter(
            "tollgate_credential_read_failures_total",
            help: "Credential files that could not be read on reload; the previous value was kept."
        )
        hookFailures = registry.counter(
            "tollgate_envoy_xds_write_failures_total",
            help: "Accepted config reloads whose Envoy xDS files could not be written."
        )
        self.beforeSwap = beforeSwap
        self.settleSeconds = settleSeconds
        state = Mutex(State(watched: loaded, interval: interval ?? loaded.gateway.settings.reloadIntervalSeconds))
        thread = ThreadControl()
    }

    /// Seconds between polls now: the latest applied `reload_interval_seconds` (0: polling is off).
    public var interval: Double {
        state.withLock { $0.interval }
    }

    /// Starts polling on a thread of its own; does nothing when the interval is 0 or it already runs.
    public func start() {
        guard interval > 0, thread.begin() else {
            return
        }
        let worker = Thread { [self] in
            run()
        }
        worker.name = "tollgate-config-reloader"
        worker.start()
    }

    /// Stops polling and waits for the thread to finish its current poll.
    public func stop() {
        thread.stop()
    }

    private func run() {
        defer { thread.finished() }
        while true {
            checkNow()
            let interval = self.interval
            guard interval > 0, thread.wait(seconds: interval) else {
                return
            }
        }
    }

    /// One poll: compares the files' identities with the last poll's and reloads on a change.
    /// Polls run one at a time; `start()`'s thread calls this, and tests may call it directly.
    @discardableResult
    public func checkNow() -> Outcome {
        state.withLock { state in
            poll(&state)
        }
    }

    private func poll(_ state: inout State) -> Outcome {
        let watchedFiles = Self.credentialFiles(state.watched)
        let identities = Identities(
            config: FileIdentity.of(configFile),
            credentials: Dictionary(uniqueKeysWithValues: watchedFiles.map { ($0, FileIdentity.of($0)) })
        )
        if identities == state.identities && !state.recent {
            return .unchanged
        }
        state.identities = identities
        state.recent = identities.isRecent(now: Date().timeIntervalSince1970, window: settleSeconds)

        let text: String
        switch ConfigLoader.read(file: configFile) {
        case .success(let read):
            text = read
        case .failure(let error):
            return refuse(Input(problems: [error]), &state, reason: "the config file cannot be read")
        }
        let diagnosis = ConfigLoader.diagnose(yaml: text, file: configFile)
        guard diagnosis.errors.isEmpty else {
            return refuse(Input(text: text, problems: diagnosis.errors), &state, reason: "the config file has errors")
        }
        let config = diagnosis.config
        let sections = FileSections(server: config.server, log: config.log)
        if let previous = state.fileSections, previous != sections {
            logger.notice("config reload: changes to server: and log: take effect on restart")
        }
        state.fileSections = sections
        let newFiles = Self.credentialFiles(config)
        if newFiles != watchedFiles {
            // Watch the new config's credential files from before they are read.
            state.identities?.credentials = Dictionary(uniqueKeysWithValues: newFiles.map { ($0, FileIdentity.of($0)) })
        }
        state.watched = config

        let running = store.current()
        let load = config.loadCredentials(file: configFile, environment: environment, previous: running)
        let input = Input(text: text, credentials: load.credentials, problems: load.errors + load.kept)
        guard input != state.lastInput else {
            return .unchanged
        }
        guard load.errors.isEmpty else {
            return refuse(input, &state, reason: "a credential cannot be read")
        }
        state.lastInput = input
        for kept in load.kept {
            logger.warning("config reload: \(kept)")
            credentialFailures.increment()
        }
        let snapshot = GatewaySnapshot(config: config.gatewayConfig, credentials: load.credentials)
        if snapshot.config == running.config && snapshot.credentials == running.credentials {
            logger.debug("config reload: files changed, gateway config unchanged")
            return .unchanged
        }
        do {
            try beforeSwap(snapshot.config)
        } catch {
            hookFailures.increment()
            logger.error("config reload: writing Envoy's xDS files failed: \(error)")
        }
        store.replace(with: snapshot)
        state.interval = config.gateway.settings.reloadIntervalSeconds
        reloads.increment()
        logger.info(
            "config reloaded",
            metadata: [
                "providers": "\(snapshot.providers.count)",
                "models": "\(snapshot.models.count)",
                "keys": "\(snapshot.keys.keys.count)",
            ]
        )
        return .reloaded
    }

    /// Refuses `input`, unless the last poll already refused the same.
    private func refuse(_ input: Input, _ state: inout State, reason: String) -> Outcome {
        guard input != state.lastInput else {
            return .unchanged
        }
        state.lastInput = input
        reject(input.problems, reason: reason)
        return .rejected
    }

    private func reject(_ errors: [ConfigError], reason: String) {
        failures.increment()
        logger.error("config reload refused, keeping the running config: \(reason)")
        for error in errors {
            logger.error("config reload: \(error)")
        }
    }

    private static func credentialFiles(_ config: ServerConfig?) -> Set<String> {
        Set(
            (config?.providers.providers ?? []).compactMap { provider in
                if case .file(let path) = provider.credential {
                    return path
                }
                return nil
            }
        )
    }
}

extension ConfigReloader {
    /// The polling thread's lifecycle: a stop request that wakes the sleeping thread at once, and a
    /// join. NSCondition is used for the timed wait, which `Mutex` cannot do.
    private final class ThreadControl: @unchecked Sendable {
        // @unchecked: every property is read and written only while `condition` is locked.
        private let condition = NSCondition()
        private var running = false
        private var stopping = false

        /// Marks the thread as running; false when it already is.
        func begin() -> Bool {
            condition.lock()
            defer { condition.unlock() }
            guard !running else {
                return false
            }
            running = true
            stopping = false
            return true
        }

        /// Sleeps for `seconds` or until `stop()`; false when stopping.
        func wait(seconds: Double) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            let deadline = Date(timeIntervalSinceNow: seconds)
            while !stopping {
                if !condition.wait(until: deadline) {
                    break
                }
            }
            return !stopping
        }

        func finished() {
            condition.lock()
            running = false
            condition.broadcast()
            condition.unlock()
        }

        func stop() {
            condition.lock()
            defer { condition.unlock() }
            stopping = true
            condition.broadcast()
            while running {
                condition.wait()
            }
        }
    }
}

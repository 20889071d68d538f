import ArgumentParser
import Foundation
import Gateway
import InMemoryLogging
import Logging
import Synchronization
import Telemetry
import Testing

@testable import TollgateServer

@Suite struct ConfigReloaderTests {
    /// A config file in a temporary directory, the snapshot built from it as `serve` does, and a
    /// reloader on it with captured logs and metrics.
    final class Harness {
        let files: ConfigTestFiles
        let registry = MetricsRegistry()
        let logs = InMemoryLogHandler()
        let store: GatewaySnapshotStore
        let reloader: ConfigReloader
        let configPath: String

        init(
            _ yaml: String,
            environment: [String: String] = [:],
            settleSeconds: Double = ConfigReloader.defaultSettleSeconds,
            files: ConfigTestFiles? = nil,
            configPath: String? = nil,
            beforeSwap: @escaping @Sendable (GatewayConfig) throws -> Void = { _ in }
        ) throws {
            let files = try files ?? ConfigTestFiles()
            self.files = files
            self.configPath = try configPath ?? files.write("tollgate.yaml", yaml)
            let config = try ConfigLoader.load(file: self.configPath)
            store = GatewaySnapshotStore(
                try config.makeGatewaySnapshot(file: self.configPath, environment: environment)
            )
            let logs = self.logs
            var logger = Logger(label: "test") { _ in logs }
            logger.logLevel = .debug
            reloader = ConfigReloader(
                configFile: self.configPath,
                store: store,
                loaded: config,
                registry: registry,
                logger: logger,
                environment: environment,
                interval: 0.02,
                beforeSwap: beforeSwap,
                settleSeconds: settleSeconds
            )
        }

        deinit {
            reloader.stop()
        }

        var models: [String] {
            store.current().models.map(\.name)
        }

        func counter(_ name: String) -> Int? {
            for line in registry.renderPrometheus().split(separator: "\n") where line.hasPrefix(name + " ") {
                return Int(line.dropFirst(name.count + 1))
            }
            return nil
        }

        var messages: [String] {
            logs.entries.map { "\($0.message)" }
        }
    }

    static func config(models: [String], credential: String = "{ env: OPENAI_KEY }", extra: String = "") -> String {
        var yaml = """
            providers:
              - name: openai
                schema: openai
                base_url: https://api.openai.com/v1
                credential: \(credential)
            models:

            """
        for model in models {
            yaml += "  - name: \(model)\n    backends: [{ provider: openai }]\n"
        }
        return yaml + extra
    }

    @Test func theFirstPollReadsTheFileButSwapsNothingWhenItIsTheSame() throws {
        let harness = try Harness(Self.config(models: ["a"]), environment: ["OPENAI_KEY": "sk-1"])
        #expect(harness.reloader.checkNow() == .unchanged)
        #expect(harness.store.generation == 1)
        #expect(harness.counter("tollgate_config_reloads_total") == 0)
        #expect(harness.counter("tollgate_config_reload_failures_total") == 0)
        #expect(harness.reloader.checkNow() == .unchanged)
    }

    @Test func aChangedFileIsValidatedAndSwappedIn() throws {
        let harness = try Harness(Self.config(models: ["a"]), environment: ["OPENAI_KEY": "sk-1"])
        harness.reloader.checkNow()
        let reader = harness.store.makeReader()
        try harness.files.write("tollgate.yaml", Self.config(models: ["a", "b"]))
        #expect(harness.reloader.checkNow() == .reloaded)
        #expect(harness.models == ["a", "b"])
        #expect(harness.store.current().credential(forProvider: "openai") == "sk-1")
        #expect(harness.store.generation == 2)
        var cached = reader
        #expect(cached.current().model(named: "b") != nil)
        #expect(harness.counter("tollgate_config_reloads_total") == 1)
        // Read again (the file is recent) but identical: not counted again.
        #expect(harness.reloader.checkNow() == .unchanged)
        #expect(harness.counter("tollgate_config_reloads_total") == 1)
        #expect(harness.messages.contains("config reloaded"))
    }

    @Test func aBrokenFileKeepsTheRunningSnapshotAndIsCountedOnce() throws {
        let harness = try Harness(Self.config(models: ["a"]), environment: ["OPENAI_KEY": "sk-1"])
        harness.reloader.checkNow()
        try harness.files.write(
            "tollgate.yaml",
            Self.config(models: ["a"], extra: "  - name: b\n    backends: [{ provider: nope }]\n")
        )
        #expect(harness.reloader.checkNow() == .rejected)
        #expect(harness.models == ["a"])
        #expect(harness.store.generation == 1)
        #expect(harness.counter("tollgate_config_reload_failures_total") == 1)
        #expect(
            harness.messages.contains {
                $0.contains("tollgate.yaml:10: models[1].backends[0].provider: no provider named 'nope'")
            }
        )
        #expect(harness.reloader.checkNow() == .unchanged)
        #expect(harness.reloader.checkNow() == .unchanged)
        #expect(harness.counter("tollgate_config_reload_failures_total") == 1)

        // Not YAML at all, then a missing file: each is one more failure, and nothing changes.
        try harness.files.write("tollgate.yaml", "models: [\n")
        #expect(harness.reloader.checkNow() == .rejected)
        try harness.files.remove("tollgate.yaml")
        #expect(harness.reloader.checkNow() == .rejected)
        #expect(harness.counter("tollgate_config_reload_failures_total") == 3)
        #expect(harness.models == ["a"])

        try harness.files.write("tollgate.yaml", Self.config(models: ["c"]))
        #expect(harness.reloader.checkNow() == .reloaded)
        #expect(harness.models == ["c"])
        #expect(harness.counter("tollgate_config_reloads_total") == 1)
    }

    @Test func aKubernetesSymlinkSwapIsSeenByIdentityAlone() throws {
        // ConfigMap layout: tollgate.yaml -> ..data/tollgate.yaml, ..data -> ..v1; an update writes ..v2
        // and renames a new ..data link over the old one.
        let files = try ConfigTestFiles()
        let past = Date(timeIntervalSince1970: 1_700_000_000)
        for (version, model) in [("..v1", "aaaa"), ("..v2", "bbbb")] {
            try FileManager.default.createDirectory(atPath: files.path(version), withIntermediateDirectories: true)
            let path = files.path("\(version)/tollgate.yaml")
            try Self.config(models: [model]).write(toFile: path, atomically: false, encoding: .utf8)
            // Same size and the same old modification time: only device and inode tell them apart.
            try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: path)
        }
        try files.link("..data", to: "..v1")
        try FileManager.default.createSymbolicLink(
            atPath: files.path("tollgate.yaml"),
            withDestinationPath: "..data/tollgate.yaml"
        )
        let harness = try Harness(
            "",
            environment: ["OPENAI_KEY": "sk-1"],
            settleSeconds: 0,
            files: files,
            configPath: files.path("tollgate.yaml")
        )
        #expect(harness.models == ["aaaa"])
        #expect(harness.reloader.checkNow() == .unchanged)
        try files.link("..data", to: "..v2")
        #expect(harness.reloader.checkNow() == .reloaded)
        #expect(harness.models == ["bbbb"])
        #expect(harness.reloader.checkNow() == .unchanged)
    }

    @Test func aRotatedCredentialFileIsUsedAndNeverLogged() throws {
        // Secret layout: secrets/openai -> ..data/openai, ..data -> ..v1.
        let files = try ConfigTestFiles()
        try FileManager.default.createDirectory(atPath: files.path("secrets/..v1"), withIntermediateDirectories: true)
        try "sk-first-secret\n".write(toFile: files.path("secrets/..v1/openai"), atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: files.path("secrets/..data"), withDestinationPath: "..v1")
        try FileManager.default.createSymbolicLink(
            atPath: files.path("secrets/openai"),
            withDestinationPath: "..data/openai"
        )
        try files.write("tollgate.yaml", Self.config(models: ["a"], credential: "{ file: secrets/openai }"))
        let harness = try Harness("", files: files, configPath: files.path("tollgate.yaml"))
        #expect(harness.store.current().credential(forProvider: "openai") == "sk-first-secret")
        harness.reloader.checkNow()

        try FileManager.default.createDirectory(atPath: files.path("secrets/..v2"), withIntermediateDirectories: true)
        try "sk-second-secret\n".write(toFile: files.path("secrets/..v2/openai"), atomically: false, encoding: .utf8)
        try files.link("secrets/..data", to: "..v2")
        #expect(harness.reloader.checkNow() == .reloaded)
        #expect(harness.store.current().credential(forProvider: "openai") == "sk-second-secret")
        #expect(harness.store.current().backend(id: "a/0")?.credential == "sk-second-secret")

        // A plain file rewritten in place is seen too.
        try files.write("tollgate.yaml", Self.config(models: ["a"], credential: "{ file: plain }"))
        try files.write("plain", "sk-third-secret")
        #expect(harness.reloader.checkNow() == .reloaded)
        try files.overwrite("plain", "sk-fourth-secret")
        #expect(harness.reloader.checkNow() == .reloaded)
        #expect(harness.store.current().credential(forProvider: "openai") == "sk-fourth-secret")

        // The secret goes missing: the previous value stays, logged and counted once.
        try files.remove("plain")
        #expect(harness.reloader.checkNow() == .unchanged)
        #expect(harness.reloader.checkNow() == .unchanged)
        #expect(harness.store.current().credential(forProvider: "openai") == "sk-fourth-secret")
        #expect(harness.counter("tollgate_credential_read_failures_total") == 1)
        #expect(harness.counter("tollgate_config_reload_failures_total") == 0)
        #expect(
            harness.messages.contains {
                $0.contains("credential file \(files.path("plain"))") && $0.contains("keeping the previous value")
            }
        )

        try files.write("plain", "sk-fifth-secret")
        #expect(harness.reloader.checkNow() == .reloaded)
        #expect(harness.store.current().credential(forProvider: "openai") == "sk-fifth-secret")

        let allLogs = harness.logs.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        for secret in ["sk-first", "sk-second", "sk-third", "sk-fourth", "sk-fifth"] {
            #expect(!allLogs.contains(secret))
        }
    }

    @Test func aNewProviderWhoseCredentialIsMissingWaitsForTheFile() throws {
        let harness = try Harness(Self.config(models: ["a"]), environment: ["OPENAI_KEY": "sk-1"])
        harness.reloader.checkNow()
        let withSecond =
            Self.config(models: ["a"])
            + "  - name: b\n    backends: [{ provider: second }]\n"
        let providers = withSecond.replacingOccurrences(
            of: "models:\n",
            with:
                "  - name: second\n    schema: openai\n    base_url: http://h\n    credential: { file: second-key }\nmodels:\n"
        )
        try harness.files.write("tollgate.yaml", providers)
        #expect(harness.reloader.checkNow() == .rejected)
        #expect(harness.models == ["a"])
        #expect(harness.counter("tollgate_config_reload_failures_total") == 1)
        #expect(harness.messages.contains { $0.contains("provider 'second': credential file") })

        try harness.files.write("second-key", "sk-second")
        #expect(harness.reloader.checkNow() == .reloaded)
        #expect(harness.models == ["a", "b"])
        #expect(harness.store.current().credential(forProvider: "second") == "sk-second")
    }

    @Test func theHookSeesTheConfigBeforeTheSwapAndItsFailureDoesNotStopIt() throws {
        let seen = Mutex<[[String]]>([])
        let fail = Atomic<Bool>(false)
        let files = try ConfigTestFiles()
        try files.write("tollgate.yaml", Self.config(models: ["a"]))
        let storeBox = Mutex<GatewaySnapshotStore?>(nil)
        let harness = try Harness(
            "",
            environment: ["OPENAI_KEY": "sk-1"],
            files: files,
            configPath: files.path("tollgate.yaml")
        ) { config in
            // Called before the swap: the store still runs the old models.
            let running = storeBox.withLock { $0?.current().models.map(\.name) } ?? []
            seen.withLock { $0.append(config.models.map(\.name) + ["running:"] + running) }
            if fail.load(ordering: .relaxed) {
                throw CocoaError(.fileWriteNoPermission)
            }
        }
        storeBox.withLock { $0 = harness.store }
        harness.reloader.checkNow()
        try files.write("tollgate.yaml", Self.config(models: ["a", "b"]))
        #expect(harness.reloader.checkNow() == .reloaded)
        #expect(seen.withLock { $0 } == [["a", "b", "running:", "a"]])

        fail.store(true, ordering: .relaxed)
        try files.write("tollgate.yaml", Self.config(models: ["c"]))
        #expect(harness.reloader.checkNow() == .reloaded)
        #expect(harness.models == ["c"])
        #expect(harness.counter("tollgate_envoy_xds_write_failures_total") == 1)
        // A refused file never reaches the hook.
        try files.write("tollgate.yaml", "models: 3\n")
        #expect(harness.reloader.checkNow() == .rejected)
        #expect(seen.withLock { $0.count } == 2)
    }

    @Test func serverSectionChangesAreNotAppliedButNoted() throws {
        let notice = "config reload: changes to server: and log: take effect on restart"
        let harness = try Harness(Self.config(models: ["a"]), environment: ["OPENAI_KEY": "sk-1"])
        harness.reloader.checkNow()
        #expect(!harness.messages.contains(notice))
        try harness.files.write("tollgate.yaml", "server:\n  threads: 3\n" + Self.config(models: ["a"]))
        #expect(harness.reloader.checkNow() == .unchanged)
        #expect(harness.messages.contains(notice))
    }

    @Test func flagsThatDifferFromTheFileAreNoChange() throws {
        // serve hands the reloader the config after flags; the file itself has not changed.
        let files = try ConfigTestFiles()
        let path = try files.write("tollgate.yaml", Self.config(models: ["a"]))
        let options = try ServerOptions.parse(["--config", path, "--socket", "/tmp/x.sock", "--log-level", "debug"])
        let config = try options.makeConfig()
        let logs = InMemoryLogHandler()
        let reloader = ConfigReloader(
            configFile: path,
            store: GatewaySnapshotStore(try config.makeGatewaySnapshot(file: path, environment: ["OPENAI_KEY": "k"])),
            loaded: config,
            registry: MetricsRegistry(),
            logger: Logger(label: "test") { _ in logs },
            environment: ["OPENAI_KEY": "k"]
        )
        #expect(reloader.checkNow() == .unchanged)
        #expect(logs.entries.isEmpty)
    }

    @Test func theIntervalFollowsTheFile() throws {
        let harness = try Harness(Self.config(models: ["a"]), environment: ["OPENAI_KEY": "sk-1"])
        #expect(harness.reloader.interval == 0.02)
        try harness.files.write(
            "tollgate.yaml",
            Self.config(models: ["a"]) + "gateway:\n  reload_interval_seconds: 0.5\n"
        )
        #expect(harness.reloader.checkNow() == .reloaded)
        #expect(harness.reloader.interval == 0.5)
        #expect(harness.store.current().settings.reloadIntervalSeconds == 0.5)
    }

    @Test func itsThreadPollsUntilStopped() async throws {
        let harness = try Harness(Self.config(models: ["a"]), environment: ["OPENAI_KEY": "sk-1"])
        harness.reloader.start()
        harness.reloader.start()  // a second start does nothing
        try harness.files.write("tollgate.yaml", Self.config(models: ["a", "b"]))
        let deadline = ContinuousClock.now + .seconds(10)
        while harness.store.generation == 1 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(harness.models == ["a", "b"])
        harness.reloader.stop()
        // Stopped: a change is no longer picked up.
        try harness.files.write("tollgate.yaml", Self.config(models: ["c"]))
        try await Task.sleep(for: .milliseconds(200))
        #expect(harness.models == ["a", "b"])
        harness.reloader.stop()
    }
}

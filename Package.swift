// swift-tools-version: 6.1
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Tollgate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tollgate", targets: ["Tollgate"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // Layer 0: C libraries from Debian, and the protoc-c output for our ext_proc protos.
        .systemLibrary(
            name: "CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .systemLibrary(
            name: "CProtobufC", pkgConfig: "libprotobuf-c", providers: [.apt(["libprotobuf-c-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .target(name: "CExtProcProto", dependencies: ["CProtobufC"]),
        // Linux interfaces Swift's Glibc module leaves out (epoll, eventfd).
        .target(name: "CShims"),

        // Shared by every layer: counters and histograms rendered as Prometheus text.
        .target(name: "Telemetry", swiftSettings: strictSwift),

        // Layer 1: event loops, sockets, HTTP/2, gRPC framing, health, admin HTTP/1.1.
        .target(
            name: "H2Transport",
            dependencies: ["CNGHTTP2", "CShims", "Telemetry", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift),

        // Layer 2: ext_proc messages in, Swift values out, and back; the per-stream state machine.
        .target(
            name: "ExtProc",
            dependencies: [
                "H2Transport", "CExtProcProto", "CProtobufC", "Telemetry",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift),

        // Layer 3: the AI gateway, plain Swift handlers over ExtProc's values (keys, routing, config snapshots).
        .target(
            name: "Gateway",
            dependencies: [
                "ExtProc", "Telemetry",
                .product(name: "Logging", package: "swift-log"),
                // SHA-256 of gateway keys.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift),

        // The usage ledger's SQLite storage: the batching writer behind Gateway's `UsageLedger`, the report
        // queries, and `SQLiteConnection`, the one wrapper of the sqlite3 C API (the limiter's store reuses it).
        .target(
            name: "LedgerSQLite",
            dependencies: ["CSQLite", "Gateway", "Telemetry", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift),

        // The limiter's counters in Redis, shared by replicas: reserve and settle as Lua scripts over
        // hiredis connections (`RedisConnection` is the one wrapper of the hiredis C API).
        .target(
            name: "LimiterRedis",
            dependencies: [
                "CHiredis", "Gateway", "Telemetry",
                .product(name: "Logging", package: "swift-log"),
                // SHA-1 of the scripts, for EVALSHA.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift),

        // A fake OpenAI-compatible provider (`tollgate fake-provider`) for the quick start and tests:
        // blocking HTTP/1.1 sockets, Foundation JSON; nothing in the gateway depends on it.
        .target(name: "FakeProvider", swiftSettings: strictSwift),

        // Wiring shared by the executables: server config, listeners, admin endpoint, signals, drain.
        .target(
            name: "TollgateServer",
            dependencies: [
                "H2Transport", "ExtProc", "Telemetry", "Gateway", "LedgerSQLite", "LimiterRedis",
                // ServerOptions: the flags `tollgate serve` and TollgateProbe share through @OptionGroup.
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSwift),

        .executableTarget(
            name: "Tollgate",
            dependencies: [
                "TollgateServer", "ExtProc", "Gateway", "FakeProvider", "LedgerSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift),

        // A test-only ext_proc server whose handler is driven by request headers; used by tests/e2e and bench/.
        .executableTarget(
            name: "TollgateProbe",
            dependencies: [
                "TollgateServer", "ExtProc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift),

        // Test-only: records into a ledger until killed; LedgerSQLiteTests SIGKILLs it to check the loss bound.
        .executableTarget(
            name: "LedgerCrashProbe",
            dependencies: ["LedgerSQLite", "Gateway", "Telemetry", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift),

        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry"], swiftSettings: strictSwift),
        .testTarget(name: "H2TransportTests", dependencies: ["H2Transport", "CNGHTTP2"], swiftSettings: strictSwift),
        .testTarget(
            name: "TollgateServerTests",
            dependencies: [
                "TollgateServer", "Gateway", "Telemetry", "LedgerSQLite",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: strictSwift),
        .testTarget(name: "ExtProcTests", dependencies: ["ExtProc", "H2Transport"], swiftSettings: strictSwift),
        .testTarget(
            name: "GatewayTests",
            // Yams: the Envoy bootstrap tests parse the rendered YAML.
            dependencies: ["Gateway", "ExtProc", "Telemetry", .product(name: "Yams", package: "Yams")],
            // Translation fixtures and goldens, read and regenerated in place through #filePath.
            exclude: ["Fixtures"],
            swiftSettings: strictSwift),
        .testTarget(
            name: "LedgerSQLiteTests",
            dependencies: [
                "LedgerSQLite", "Gateway", "Telemetry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: strictSwift),
        .testTarget(
            name: "LimiterRedisTests",
            dependencies: [
                "LimiterRedis", "Gateway", "Telemetry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: strictSwift),
        .testTarget(name: "FakeProviderTests", dependencies: ["FakeProvider"], swiftSettings: strictSwift),
    ]
)

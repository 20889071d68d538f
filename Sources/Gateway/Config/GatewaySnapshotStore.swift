import Synchronization

/// The running `GatewaySnapshot`, swapped whole by the config reloader and read by every stream.
///
/// Readers on the request path should hold a `GatewaySnapshotReader` (one per stream handler, or per
/// event loop): it keeps its own copy and only checks an atomic generation counter per read, so the
/// lock below is taken by a reader once per reload, not once per request. `current()` takes the lock
/// and suits code that reads once per stream or off the request path.
public final class GatewaySnapshotStore: Sendable {
    private let state: Mutex<(generation: UInt64, snapshot: GatewaySnapshot)>
    /// Equal to `state.generation` once a replacement is complete; readers compare against it.
    private let published: Atomic<UInt64>

    public init(_ snapshot: GatewaySnapshot = .empty) {
        state = Mutex((generation: 1, snapshot: snapshot))
        published = Atomic(1)
    }

    /// The running snapshot.
    public func current() -> GatewaySnapshot {
        state.withLock { $0.snapshot }
    }

    /// Increases by one on every `replace`; starts at 1.
    public var generation: UInt64 {
        published.load(ordering: .acquiring)
    }

    /// Makes `snapshot` the running one; streams already holding the old one keep it until they end.
    public func replace(with snapshot: GatewaySnapshot) {
        let generation = state.withLock { state in
            state.generation += 1
            state.snapshot = snapshot
            return state.generation
        }
        published.store(generation, ordering: .releasing)
    }

    /// A reader that starts with the running snapshot.
    public func makeReader() -> GatewaySnapshotReader {
        GatewaySnapshotReader(store: self)
    }

    fileprivate func load() -> (generation: UInt64, snapshot: GatewaySnapshot) {
        state.withLock { $0 }
    }
}

/// A per-owner cached view of a `GatewaySnapshotStore`: one atomic load per `current()`, the store's
/// lock only when the generation moved. Not shared between threads (it is a value; each owner has one).
public struct GatewaySnapshotReader: Sendable {
    public let store: GatewaySnapshotStore
    private var generation: UInt64
    private var snapshot: GatewaySnapshot

    public init(store: GatewaySnapshotStore) {
        self.store = store
        (generation, snapshot) = store.load()
    }

    public mutating func current() -> GatewaySnapshot {
        if store.generation != generation {
            (generation, snapshot) = store.load()
        }
        return snapshot
    }
}

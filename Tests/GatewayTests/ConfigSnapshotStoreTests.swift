import Gateway
import Testing

@Suite struct ConfigSnapshotStoreTests {
    private static func snapshot(_ model: String) -> GatewaySnapshot {
        GatewaySnapshot(config: GatewayConfig(models: [ModelConfig(name: model, backends: [])]))
    }

    @Test func replaceSwapsTheWholeSnapshotAndBumpsTheGeneration() {
        let store = GatewaySnapshotStore(Self.snapshot("one"))
        #expect(store.generation == 1)
        #expect(store.current().models.map(\.name) == ["one"])
        store.replace(with: Self.snapshot("two"))
        #expect(store.generation == 2)
        #expect(store.current().models.map(\.name) == ["two"])
        #expect(store.current().model(named: "one") == nil)
    }

    @Test func readersCacheUntilTheGenerationMoves() {
        let store = GatewaySnapshotStore(Self.snapshot("one"))
        var reader = store.makeReader()
        let held = reader.current()
        #expect(held.models.map(\.name) == ["one"])
        store.replace(with: Self.snapshot("two"))
        #expect(reader.current().models.map(\.name) == ["two"])
        // A snapshot already taken stays as it was.
        #expect(held.models.map(\.name) == ["one"])
        var late = GatewaySnapshotReader(store: store)
        #expect(late.current().models.map(\.name) == ["two"])
    }

    @Test func concurrentReadersSeeWholeSnapshotsOnly() async {
        let store = GatewaySnapshotStore(Self.snapshot("m0"))
        let torn = await withTaskGroup(of: Int.self) { group in
            group.addTask {
                for index in 1...2000 {
                    store.replace(with: Self.snapshot("m\(index)"))
                }
                return 0
            }
            for _ in 0..<3 {
                group.addTask {
                    var reader = store.makeReader()
                    var last = 0
                    var torn = 0
                    for _ in 0..<5000 {
                        let snapshot = reader.current()
                        // Each snapshot has exactly one model, looked up by its own name.
                        guard let name = snapshot.models.first?.name, snapshot.model(named: name) != nil,
                            let number = Int(name.dropFirst())
                        else {
                            torn += 1
                            continue
                        }
                        // Generations only move forward.
                        if number < last {
                            torn += 1
                        }
                        last = number
                    }
                    return torn
                }
            }
            return await group.reduce(0, +)
        }
        #expect(torn == 0)
        #expect(store.current().models.first?.name == "m2000")
        #expect(store.generation == 2001)
    }
}

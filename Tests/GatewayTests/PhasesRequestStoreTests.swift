import Foundation
import Gateway
import Testing

@Suite struct PhasesRequestStoreTests {
    private func state(_ model: String = "m") -> RequestState {
        RequestState(
            keyName: "k",
            tenant: "t",
            endpoint: .chatCompletions,
            model: model,
            clientModel: model,
            body: Array(#"{"model":"m"}"#.utf8),
            bodyFields: RequestBodyFields(model: "m", modelValueRange: 9..<12)
        )
    }

    @Test func takeLeavesTheEntryForRetriesUntilRemoved() {
        let store = RequestStore(shardCount: 4)
        let now = ContinuousClock.now
        let id = store.makeID()
        store.insert(state(), id: id, now: now)
        #expect(store.take(id, now: now) == state())
        #expect(store.take(id, now: now + .seconds(10)) == state())
        #expect(store.contains(id, now: now))
        store.remove(id)
        #expect(store.take(id, now: now) == nil)
        #expect(!store.contains(id, now: now))
        #expect(store.count == 0)
    }

    @Test func attemptsAreCountedAndTheLastKept() {
        let store = RequestStore(shardCount: 4)
        let now = ContinuousClock.now
        let id = store.makeID()
        #expect(store.recordAttempt(UpstreamAttempt(backendID: "m/0"), for: id, now: now) == nil)
        store.insert(state(), id: id, now: now)
        #expect(store.recordAttempt(UpstreamAttempt(backendID: "m/0", rejection: "x"), for: id, now: now) == 1)
        #expect(store.recordAttempt(UpstreamAttempt(backendID: "m/1", dialect: .anthropic), for: id, now: now) == 2)
        let stored = store.take(id, now: now)
        #expect(stored?.attempts == 2)
        #expect(stored?.lastAttempt == UpstreamAttempt(backendID: "m/1", dialect: .anthropic))
        #expect(stored?.body == state().body)
        // Expired: not recorded.
        #expect(store.recordAttempt(UpstreamAttempt(backendID: "m/0"), for: id, now: now + .seconds(301)) == nil)
    }

    /// Upstream attempts and the router stream of one request run on different event loops.
    @Test func attemptsRecordedFromManyThreadsAreAllCounted() async {
        let store = RequestStore(shardCount: 2)
        let now = ContinuousClock.now
        let ids = (0..<8).map { _ in store.makeID() }
        for id in ids { store.insert(state(), id: id, now: now) }
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for round in 0..<500 {
                        let id = ids[(worker + round) % ids.count]
                        store.recordAttempt(UpstreamAttempt(backendID: "m/\(worker)"), for: id, now: now)
                        _ = store.take(id, now: now)
                    }
                }
            }
        }
        let total = ids.compactMap { store.take($0, now: now)?.attempts }.reduce(0, +)
        #expect(total == 8 * 500)
    }

    @Test func entriesExpireAfterTheirLifetime() {
        let store = RequestStore(shardCount: 1, lifetime: .seconds(300))
        let start = ContinuousClock.now
        let id = store.makeID()
        store.insert(state(), id: id, now: start)
        #expect(store.take(id, now: start + .seconds(299)) != nil)
        #expect(!store.contains(id, now: start + .seconds(300)))
        #expect(store.take(id, now: start + .seconds(300)) == nil)
        // An expired entry found by take is dropped.
        #expect(store.count == 0)
    }

    @Test func insertsSweepExpiredEntries() {
        let store = RequestStore(shardCount: 1, lifetime: .seconds(100))
        let start = ContinuousClock.now
        for _ in 0..<50 { store.insert(state(), id: store.makeID(), now: start) }
        #expect(store.count == 50)
        // Within the sweep interval (lifetime / 10) nothing is swept.
        store.insert(state(), id: store.makeID(), now: start + .seconds(5))
        #expect(store.count == 51)
        // Past the lifetime of the first 50, the next insert after the interval sweeps them.
        let late = store.makeID()
        store.insert(state(), id: late, now: start + .seconds(101))
        #expect(store.count == 2)
        #expect(store.take(late, now: start + .seconds(101)) != nil)
    }

    @Test func idsAreUniqueAndRoundTripThroughTheHeader() throws {
        let store = RequestStore()
        var seen = Set<RequestID>()
        for _ in 0..<1000 {
            let id = store.makeID()
            #expect(seen.insert(id).inserted)
            let text = id.description
            #expect(text.utf8.count == 16)
            #expect(
                text.utf8.allSatisfy {
                    ("0"..."9").contains(Character(UnicodeScalar($0)))
                        || ("a"..."f").contains(Character(UnicodeScalar($0)))
                }
            )
            #expect(RequestID(header: Array(text.utf8)) == id)
        }
        #expect(RequestID(header: Array("0123456789ABCDEF".utf8)) == RequestID(0x0123_4567_89AB_CDEF))
        #expect(RequestID(header: Array("0123456789abcde".utf8)) == nil)
        #expect(RequestID(header: Array("0123456789abcdefa".utf8)) == nil)
        #expect(RequestID(header: Array("0123456789abcdeg".utf8)) == nil)
        #expect(RequestID(0).description == "0000000000000000")
    }

    @Test func concurrentInsertsTakesAndRemoves() async {
        let store = RequestStore(shardCount: 8)
        let now = ContinuousClock.now
        await withTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var found = 0
                    for index in 0..<2000 {
                        let id = store.makeID()
                        let model = "m\(worker)-\(index)"
                        store.insert(self.state(model), id: id, now: now)
                        if store.take(id, now: now)?.model == model { found += 1 }
                        store.remove(id)
                    }
                    return found
                }
            }
            var total = 0
            for await found in group { total += found }
            #expect(total == 16_000)
        }
        #expect(store.count == 0)
    }
}

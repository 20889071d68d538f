/// Memory for the protobuf-c side of one stream's messages: unpacked requests and the C
/// structs a response is built from.
///
/// A message's C tree lives only while it is being decoded or encoded, so a bump allocator fits:
/// allocation is a pointer increment, nothing is freed one by one, and `reset()` after each
/// message makes the first chunk reusable, so a stream of ordinary messages allocates no memory
/// after its first. Larger messages spill into extra blocks that `reset()` returns.
///
/// Used by one stream on one thread; not `Sendable`.
final class ProtobufArena {
    /// Enough for the C tree of a typical headers message.
    private static let chunkSize = 8 * 1024
    /// Requests larger than this get a block of their own instead of wasting a chunk's tail.
    private static let largeAllocation = chunkSize / 4
    /// protobuf-c expects malloc's alignment.
    private static let alignment = 16

    private let firstChunk: UnsafeMutableRawPointer
    private var chunk: UnsafeMutableRawPointer
    private var used = 0
    private var extraBlocks: [UnsafeMutableRawPointer] = []

    init() {
        firstChunk = .allocate(byteCount: Self.chunkSize, alignment: Self.alignment)
        chunk = firstChunk
    }

    deinit {
        reset()
        firstChunk.deallocate()
    }

    /// `byteCount` bytes aligned for any C type; valid until the next `reset()`.
    func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        // Round up, and never hand out the same address twice for zero-byte requests.
        let size = max((byteCount + Self.alignment - 1) & ~(Self.alignment - 1), Self.alignment)
        if size > Self.largeAllocation {
            let block = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: Self.alignment)
            extraBlocks.append(block)
            return block
        }
        if used + size > Self.chunkSize {
            chunk = .allocate(byteCount: Self.chunkSize, alignment: Self.alignment)
            extraBlocks.append(chunk)
            used = 0
        }
        defer { used += size }
        return chunk + used
    }

    /// Uninitialised memory for `count` values of a trivial C type.
    func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        precondition(MemoryLayout<T>.alignment <= Self.alignment && _isPOD(T.self), "arena holds C structs only")
        return allocate(byteCount: MemoryLayout<T>.stride * count).bindMemory(to: T.self, capacity: count)
    }

    /// A NUL-terminated copy of `string`, as protobuf-c expects for `string` fields.
    func copyCString(_ string: String) -> UnsafeMutablePointer<CChar> {
        var string = string
        return string.withUTF8 { utf8 in
            let copy = allocate(CChar.self, count: utf8.count + 1)
            if let source = utf8.baseAddress {
                UnsafeMutableRawPointer(copy).copyMemory(from: source, byteCount: utf8.count)
            }
            copy[utf8.count] = 0
            return copy
        }
    }

    /// Frees everything handed out since the last reset, keeping the first chunk.
    func reset() {
        for block in extraBlocks {
            block.deallocate()
        }
        extraBlocks.removeAll(keepingCapacity: true)
        chunk = firstChunk
        used = 0
    }
}

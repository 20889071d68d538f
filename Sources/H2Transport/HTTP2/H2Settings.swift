/// The HTTP/2 settings Tollgate announces, and the nghttp2 session options behind them.
public struct H2Settings: Sendable {
    /// Envoy multiplexes every in-flight request's ext_proc stream over a few connections.
    public var maxConcurrentStreams: UInt32 = 100_000
    /// Large windows let a multi-megabyte buffered body arrive without waiting on WINDOW_UPDATEs.
    public var initialStreamWindow: UInt32 = 4 * 1024 * 1024
    public var connectionWindow: Int32 = 64 * 1024 * 1024
    public var maxFrameSize: UInt32 = 1024 * 1024
    /// Envoy resets every ext_proc stream when its request ends; nghttp2's rapid-reset defence would
    /// otherwise count those resets as an attack and drop the connection under load.
    public var streamResetBurst: UInt64 = 1 << 40
    public var streamResetRatePerSecond: UInt64 = 1 << 40

    public init() {}
}

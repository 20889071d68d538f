/// How an ext_proc stream ended, told to its handler exactly once.
public enum ExtProcStreamEnding: Sendable, Hashable {
    /// Envoy half-closed the stream and Tollgate finished it with OK.
    case halfClosed
    /// Envoy reset the stream or the connection went away. This is how Envoy usually ends a
    /// stream once its HTTP exchange is done.
    case reset
    /// Tollgate ended the stream with INVALID_ARGUMENT because of `error`.
    case protocolError(ExtProcError)
}

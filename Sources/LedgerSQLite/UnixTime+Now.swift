import Foundation
import Gateway

extension UnixTime {
    /// The system's wall clock, to the millisecond: the default clock of `LedgerWriter` and the one
    /// the request path stamps records with.
    public static func now() -> UnixTime {
        UnixTime(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}

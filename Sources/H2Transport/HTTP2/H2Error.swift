/// Failures of the HTTP/2 layer that are not a single system call.
public enum H2Error: Error, CustomStringConvertible {
    case nghttp2(call: String, code: Int32, message: String)
    case system(SystemError)

    public var description: String {
        switch self {
        case .nghttp2(let call, _, let message): "\(call): \(message)"
        case .system(let error): error.description
        }
    }
}

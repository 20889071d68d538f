/// A provider's `base_url`, split into what Envoy's cluster and Tollgate's path rewrite need.
///
/// Only `http` and `https` with a host, an optional port and an optional path are accepted: no user
/// info, query or fragment, since none of them has a meaning for an upstream API base.
public struct UpstreamURL: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable {
        case http
        case https

        public var defaultPort: Int {
            switch self {
            case .http: 80
            case .https: 443
            }
        }
    }

    public var scheme: Scheme
    /// A DNS name, an IPv4 address, or an IPv6 address without brackets.
    public var host: String
    /// The explicit port, or the scheme's default.
    public var port: Int
    /// The path before every endpoint path, without a trailing slash: `/v1`, or empty.
    public var basePath: String

    /// What an error message says was expected.
    public static let expected = "an http:// or https:// URL with a host, such as https://api.openai.com/v1"

    public init(scheme: Scheme, host: String, port: Int? = nil, basePath: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port ?? scheme.defaultPort
        self.basePath = basePath
    }

    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":"), text[colon...].hasPrefix("://") else {
            return nil
        }
        guard let scheme = Scheme(rawValue: text[..<colon].lowercased()) else {
            return nil
        }
        let rest = text[colon...].dropFirst(3)
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = Substring(rest[authorityEnd...])
        guard !path.contains(where: { $0 == "?" || $0 == "#" || $0 == "\\" || $0.isWhitespace || $0.isASCIIControl })
        else {
            return nil
        }
        while path.hasSuffix("/") {
            path = path.dropLast()
        }
        guard let (host, port) = Self.hostAndPort(authority) else {
            return nil
        }
        self.init(scheme: scheme, host: host, port: port, basePath: String(path))
    }

    /// Whether the upstream connection needs TLS.
    public var isTLS: Bool {
        scheme == .https
    }

    /// The `:authority` to send: the host, with the port when it is not the scheme's default,
    /// and brackets around an IPv6 address.
    public var authority: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == scheme.defaultPort ? bracketed : "\(bracketed):\(port)"
    }

    public var description: String {
        "\(scheme.rawValue)://\(authority)\(basePath)"
    }

    private static func hostAndPort(_ authority: Substring) -> (String, Int?)? {
        let host: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                return nil
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                portText = nil
            } else if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else {
                return nil
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return nil
            }
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
            guard !host.isEmpty,
                host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") })
            else {
                return nil
            }
        }
        guard let portText else {
            return (host.lowercased(), nil)
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit),
            let port = Int(portText), (1...65535).contains(port)
        else {
            return nil
        }
        return (host.lowercased(), port)
    }
}

extension Character {
    fileprivate var isASCIIControl: Bool {
        unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    fileprivate var isASCIIDigit: Bool {
        isASCII && isNumber
    }
}

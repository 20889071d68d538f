extension Array where Element == HeaderField {
    /// The first header called `name`, compared ignoring ASCII case as HTTP requires.
    public func first(named name: String) -> HeaderField? {
        first { $0.name.isEqualIgnoringASCIICase(name) }
    }

    /// Every value of the headers called `name`, in order; a header may repeat.
    public func values(named name: String) -> [String] {
        filter { $0.name.isEqualIgnoringASCIICase(name) }.map(\.value)
    }
}

extension String {
    fileprivate func isEqualIgnoringASCIICase(_ other: String) -> Bool {
        utf8.elementsEqual(other.utf8) { lowercasedASCII($0) == lowercasedASCII($1) }
    }
}

private func lowercasedASCII(_ byte: UInt8) -> UInt8 {
    (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
}

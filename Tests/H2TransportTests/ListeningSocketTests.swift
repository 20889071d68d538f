import Foundation
import Testing

@testable import H2Transport

/// A Unix listener's file gets the mode it was given, whatever the umask would have left; the file
/// goes when the listener does.
@Suite struct ListeningSocketTests {
    @Test(arguments: [UInt32(0o600), 0o660, 0o666])
    func unixSocketTakesItsMode(mode: UInt32) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tg-\(UUID().uuidString.prefix(8))"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("s.sock").path
        var info = stat()
        do {
            let socket = try ListeningSocket(address: .unix(path: path, mode: mode))
            withExtendedLifetime(socket) {
                #expect(stat(path, &info) == 0)
                #expect(info.st_mode & 0o777 == mode)
                #expect(info.st_mode & S_IFMT == S_IFSOCK)
            }
        }
        #expect(stat(path, &info) != 0, "the file is removed with the listener")
    }
}

import CNGHTTP2
import Foundation

@testable import H2Transport

/// An nghttp2 client session over one end of a socketpair, driving the server's `H2Connection` on
/// the other end: a full HTTP/2 exchange without a network port.
final class H2TestClient {
    struct Response {
        var headers: [String: String] = [:]
        var trailers: [String: String] = [:]
        var data: [UInt8] = []
        var closed = false
        var resetCode: UInt32?
        var messages: [[UInt8]] {
            var result: [[UInt8]] = []
            var offset = 0
            while offset + 5 <= data.count {
                let length = Int(data[offset + 1]) << 24 | Int(data[offset + 2]) << 16 | Int(data[offset + 3]) << 8 | Int(data[offset + 4])
                result.append(Array(data[offset + 5..<min(data.count, offset + 5 + length)]))
                offset += 5 + length
            }
            return result
        }
    }

    let fd: Int32
    private var session: OpaquePointer!
    var responses: [Int32: Response] = [:]
    private var uploads: [Int32: (bytes: [UInt8], offset: Int, endStream: Bool)] = [:]
    var goawayReceived = false
    var connectionClosed = false

    init(fd: Int32) {
        self.fd = fd
        var callbacks: OpaquePointer?
        nghttp2_session_callbacks_new(&callbacks)
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, user in
            let client = Unmanaged<H2TestClient>.fromOpaque(user!).takeUnretainedValue()
            let key = String(decoding: UnsafeRawBufferPointer(start: name, count: nameLength), as: UTF8.self)
            let text = String(decoding: UnsafeRawBufferPointer(start: value, count: valueLength), as: UTF8.self)
            let id = frame!.pointee.hd.stream_id
            if frame!.pointee.headers.cat == NGHTTP2_HCAT_HEADERS && client.responses[id]?.headers.isEmpty == false {
                client.responses[id, default: Response()].trailers[key] = text
            } else {
                client.responses[id, default: Response()].headers[key] = text
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, id, data, length, user in
            let client = Unmanaged<H2TestClient>.fromOpaque(user!).takeUnretainedValue()
            client.responses[id, default: Response()].data += Array(UnsafeRawBufferPointer(start: data, count: length))
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, user in
            let client = Unmanaged<H2TestClient>.fromOpaque(user!).takeUnretainedValue()
            if frame!.pointee.hd.type == UInt8(NGHTTP2_GOAWAY.rawValue) { client.goawayReceived = true }
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, id, code, user in
            let client = Unmanaged<H2TestClient>.fromOpaque(user!).takeUnretainedValue()
            client.responses[id, default: Response()].closed = true
            if code != 0 { client.responses[id, default: Response()].resetCode = code }
            return 0
        }
        var session: OpaquePointer?
        nghttp2_session_client_new(&session, callbacks, Unmanaged.passUnretained(self).toOpaque())
        self.session = session
        nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil, 0)
    }

    deinit {
        nghttp2_session_del(session)
        close(fd)
    }

    /// Opens a gRPC call to `path` and sends `body` (already framed or raw bytes) as DATA.
    @discardableResult
    func startCall(path: String, body: [UInt8], endStream: Bool) -> Int32 {
        let fields = [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "tollgate"),
                      ("content-type", "application/grpc"), ("te", "trailers")]
        var bytes: [UInt8] = []
        for (name, value) in fields { bytes += Array(name.utf8) + Array(value.utf8) }
        var provider = nghttp2_data_provider()
        provider.read_callback = { _, id, buffer, length, flags, _, user in
            let client = Unmanaged<H2TestClient>.fromOpaque(user!).takeUnretainedValue()
            guard var upload = client.uploads[id] else { return Int(NGHTTP2_ERR_DEFERRED.rawValue) }
            let count = min(length, upload.bytes.count - upload.offset)
            upload.bytes.withUnsafeBytes { raw in
                buffer!.update(from: raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + upload.offset, count: count)
            }
            upload.offset += count
            client.uploads[id] = upload
            if upload.offset == upload.bytes.count {
                if upload.endStream {
                    flags!.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
                } else if count == 0 {
                    return Int(NGHTTP2_ERR_DEFERRED.rawValue)
                }
            }
            return count
        }
        let id: Int32 = bytes.withUnsafeMutableBufferPointer { buffer in
            var nvs: [nghttp2_nv] = []
            var offset = 0
            for (name, value) in fields {
                let namePointer = buffer.baseAddress! + offset
                nvs.append(nghttp2_nv(name: namePointer, value: namePointer + name.utf8.count, namelen: name.utf8.count,
                                      valuelen: value.utf8.count, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)))
                offset += name.utf8.count + value.utf8.count
            }
            return nghttp2_submit_request(session, nil, nvs, nvs.count, &provider, nil)
        }
        uploads[id] = (body, 0, endStream)
        return id
    }

    func halfClose(_ id: Int32) {
        uploads[id]?.endStream = true
        nghttp2_session_resume_data(session, id)
    }

    func reset(_ id: Int32) {
        nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), id, NGHTTP2_CANCEL.rawValue)
    }

    func sendRaw(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Exchanges bytes until `done` holds or `timeout` passes.
    func pump(timeout: TimeInterval = 5, until done: (H2TestClient) -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !done(self) && Date() < deadline && !connectionClosed {
            var data: UnsafePointer<UInt8>?
            while true {
                let length = nghttp2_session_mem_send(session, &data)
                if length <= 0 { break }
                _ = send(fd, data, length, Int32(MSG_NOSIGNAL))
            }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 20) > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 {
                connectionClosed = true
                break
            }
            _ = nghttp2_session_mem_recv(session, buffer, count)
        }
    }
}

private import CNGHTTP2

/// The nghttp2 session callbacks, registered once for every session. Each recovers its connection
/// from `user_data` and runs on that connection's loop thread, inside `nghttp2_session_mem_recv`.
final class H2Callbacks: @unchecked Sendable {
    // @unchecked: the callbacks object is written once in `init` and only read by nghttp2 afterwards.
    static let shared = H2Callbacks()
    let pointer: OpaquePointer

    private init() {
        var callbacks: OpaquePointer?
        precondition(nghttp2_session_callbacks_new(&callbacks) == 0, "nghttp2_session_callbacks_new failed")
        pointer = callbacks!
        nghttp2_session_callbacks_set_on_begin_headers_callback(pointer) { _, frame, userData in
            H2Connection.from(userData).beginHeaders(frame!)
        }
        nghttp2_session_callbacks_set_on_header_callback(pointer) {
            _,
            frame,
            name,
            nameLength,
            value,
            valueLength,
            _,
            userData in
            H2Connection.from(userData).header(
                frame!,
                name: UnsafeRawBufferPointer(start: name, count: nameLength),
                value: UnsafeRawBufferPointer(start: value, count: valueLength)
            )
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(pointer) { _, frame, userData in
            H2Connection.from(userData).frameReceived(frame!)
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(pointer) { _, _, streamID, data, length, userData in
            H2Connection.from(userData).dataReceived(
                streamID: streamID,
                UnsafeRawBufferPointer(start: data, count: length)
            )
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(pointer) { _, streamID, errorCode, userData in
            H2Connection.from(userData).streamClosed(streamID: streamID, errorCode: errorCode)
        }
    }
}

extension H2Connection {
    fileprivate static func from(_ userData: UnsafeMutableRawPointer?) -> H2Connection {
        Unmanaged<H2Connection>.fromOpaque(userData!).takeUnretainedValue()
    }

    fileprivate func beginHeaders(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        let hd = frame.pointee.hd
        guard hd.type == UInt8(NGHTTP2_HEADERS.rawValue), frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST else {
            return 0
        }
        streams[hd.stream_id] = GRPCServerStream(id: hd.stream_id, maxMessageBytes: context.maxMessageBytes)
        context.metrics.streamOpened()
        return 0
    }

    fileprivate func header(
        _ frame: UnsafePointer<nghttp2_frame>,
        name: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer
    ) -> Int32 {
        guard frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST,
            name.count == 5, name.elementsEqual(":path".utf8),
            let stream = streams[frame.pointee.hd.stream_id]
        else { return 0 }
        stream.method = String(decoding: value, as: UTF8.self)
        return 0
    }

    fileprivate func frameReceived(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        let hd = frame.pointee.hd
        guard let stream = streams[hd.stream_id] else { return 0 }
        if hd.type == UInt8(NGHTTP2_HEADERS.rawValue) && frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
            open(stream)
        }
        let isDataOrHeaders = hd.type == UInt8(NGHTTP2_DATA.rawValue) || hd.type == UInt8(NGHTTP2_HEADERS.rawValue)
        if isDataOrHeaders && hd.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0 {
            peerHalfClosed(stream)
        }
        return 0
    }

    fileprivate func dataReceived(streamID: Int32, _ chunk: UnsafeRawBufferPointer) -> Int32 {
        guard let stream = streams[streamID], !stream.isFinished, let handler = stream.handler else { return 0 }
        let responder = GRPCResponder(sink: self, streamID: streamID)
        do {
            try stream.reader.consume(chunk) { message in
                // A handler may finish the call in the middle of a chunk; later messages are dropped.
                guard !stream.isFinished else { return }
                handler.didReceive(message: message, responder: responder)
            }
        } catch {
            context.metrics.error(
                error == .compressedMessage || error == .truncatedMessage ? .grpcFraming : .messageTooLarge
            )
            abort(stream, status: error.status)
        }
        return 0
    }

    fileprivate func streamClosed(streamID: Int32, errorCode: UInt32) -> Int32 {
        guard let stream = streams.removeValue(forKey: streamID) else { return 0 }
        context.metrics.streamClosed()
        if !stream.isFinished {
            // RST_STREAM from Envoy at request end is the normal way an ext_proc call ends.
            stream.finalStatus = GRPCStatus(code: .cancelled)
            stream.handler?.didCancel()
        }
        return 0
    }

    private func open(_ stream: GRPCServerStream) {
        if let handler = context.handler(for: stream.method) {
            stream.handler = handler
        } else {
            context.metrics.error(.unimplementedMethod)
            finish(
                streamID: stream.id,
                status: GRPCStatus(code: .unimplemented, message: "method \(stream.method) is not served")
            )
        }
    }

    /// Ends a call the transport rejected, and tells its handler the call is gone.
    private func abort(_ stream: GRPCServerStream, status: GRPCStatus) {
        finish(streamID: stream.id, status: status)
        stream.handler?.didCancel()
    }

    private func peerHalfClosed(_ stream: GRPCServerStream) {
        stream.peerClosed = true
        guard !stream.isFinished, let handler = stream.handler else { return }
        do {
            try stream.reader.finish()
            handler.didReceiveEnd(responder: GRPCResponder(sink: self, streamID: stream.id))
        } catch {
            context.metrics.error(.grpcFraming)
            abort(stream, status: error.status)
        }
    }
}

private import CNGHTTP2
import Logging

/// Sending a call's response: HEADERS, length-prefixed messages through a deferred data provider,
/// and the grpc-status trailers.
extension H2Connection: GRPCResponseSink {
    func send(streamID: Int32, byteCount: Int, encode: (UnsafeMutableRawBufferPointer) -> Void) {
        guard let stream = streams[streamID], !stream.isFinished else { return }
        stream.appendMessage(byteCount: byteCount, encode: encode)
        startOrResume(stream)
        flushIfIdle()
    }

    func finish(streamID: Int32, status: GRPCStatus) {
        guard let stream = streams[streamID], !stream.isFinished else { return }
        stream.finalStatus = status
        if !stream.responseStarted {
            // Trailers-only response: one HEADERS frame carrying the status and END_STREAM.
            stream.responseStarted = true
            var fields = ResponseFields.responseHeaders
            fields.append(contentsOf: ResponseFields.trailers(for: status))
            submit(fields) { nghttp2_submit_response(session, streamID, $0, $1, nil) }
        } else {
            startOrResume(stream)
        }
        flushIfIdle()
    }

    private func startOrResume(_ stream: GRPCServerStream) {
        if !stream.responseStarted {
            stream.responseStarted = true
            var provider = nghttp2_data_provider()
            provider.read_callback = { session, streamID, buffer, length, flags, _, userData in
                Unmanaged<H2Connection>.fromOpaque(userData!).takeUnretainedValue()
                    .readResponseData(streamID: streamID, into: buffer!, capacity: length, flags: flags!)
            }
            submit(ResponseFields.responseHeaders) { nghttp2_submit_response(session, stream.id, $0, $1, &provider) }
        } else if stream.dataDeferred {
            stream.dataDeferred = false
            nghttp2_session_resume_data(session, stream.id)
        }
    }

    /// nghttp2 pulls the next DATA frame's payload; at the end of the queue of a finished call it
    /// ends DATA without END_STREAM and submits the trailers, which carry END_STREAM instead.
    fileprivate func readResponseData(
        streamID: Int32,
        into buffer: UnsafeMutablePointer<UInt8>,
        capacity: Int,
        flags: UnsafeMutablePointer<UInt32>
    ) -> Int {
        guard let stream = streams[streamID] else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        let copied = stream.takeOutbound(into: buffer, capacity: capacity)
        if stream.pendingOutboundBytes == 0, let status = stream.finalStatus {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue | NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
            submit(ResponseFields.trailers(for: status)) { nghttp2_submit_trailer(session, streamID, $0, $1) }
            return copied
        }
        if copied == 0 {
            stream.dataDeferred = true
            return Int(NGHTTP2_ERR_DEFERRED.rawValue)
        }
        return copied
    }

    /// Builds nghttp2 name/value pairs over `fields` for the duration of `call`; nghttp2 copies them.
    private func submit(_ fields: [(name: [UInt8], value: [UInt8])], _ call: (UnsafePointer<nghttp2_nv>, Int) -> Int32)
    {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fields.reduce(0) { $0 + $1.name.count + $1.value.count })
        for field in fields {
            bytes.append(contentsOf: field.name)
            bytes.append(contentsOf: field.value)
        }
        let result: Int32 = bytes.withUnsafeMutableBufferPointer { buffer in
            var nvs: [nghttp2_nv] = []
            nvs.reserveCapacity(fields.count)
            var offset = 0
            for field in fields {
                let name = buffer.baseAddress! + offset
                let value = name + field.name.count
                offset += field.name.count + field.value.count
                nvs.append(
                    nghttp2_nv(
                        name: name,
                        value: value,
                        namelen: field.name.count,
                        valuelen: field.value.count,
                        flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)
                    )
                )
            }
            return nvs.withUnsafeBufferPointer { call($0.baseAddress!, $0.count) }
        }
        if result != 0 {
            context.logger.error(
                "nghttp2 refused a response",
                metadata: ["error": "\(String(cString: nghttp2_strerror(result)))"]
            )
        }
    }
}

private import CNGHTTP2

/// Creates nghttp2 server sessions with Tollgate's callbacks, options and initial SETTINGS.
enum H2SessionFactory {
    static func makeServerSession(for connection: H2Connection, settings: H2Settings) throws(H2Error) -> OpaquePointer {
        var option: OpaquePointer?
        guard nghttp2_option_new(&option) == 0, let option else {
            throw .nghttp2(call: "nghttp2_option_new", code: -1, message: "out of memory")
        }
        defer { nghttp2_option_del(option) }
        nghttp2_option_set_stream_reset_rate_limit(option, settings.streamResetBurst, settings.streamResetRatePerSecond)

        var session: OpaquePointer?
        let userData = Unmanaged.passUnretained(connection).toOpaque()
        let created = nghttp2_session_server_new2(&session, H2Callbacks.shared.pointer, userData, option)
        guard created == 0, let session else {
            throw .nghttp2(
                call: "nghttp2_session_server_new2",
                code: created,
                message: String(cString: nghttp2_strerror(created))
            )
        }
        var entries = [
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                value: settings.maxConcurrentStreams
            ),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue),
                value: settings.initialStreamWindow
            ),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_FRAME_SIZE.rawValue),
                value: settings.maxFrameSize
            ),
        ]
        var result = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count)
        if result == 0 {
            result = nghttp2_session_set_local_window_size(
                session,
                UInt8(NGHTTP2_FLAG_NONE.rawValue),
                0,
                settings.connectionWindow
            )
        }
        guard result == 0 else {
            nghttp2_session_del(session)
            throw .nghttp2(
                call: "nghttp2_submit_settings",
                code: result,
                message: String(cString: nghttp2_strerror(result))
            )
        }
        return session
    }
}

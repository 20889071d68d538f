import ExtProc

extension UpstreamRequest {
    /// The headers a reply sets for this attempt, each replacing what is there: `:path`,
    /// `:authority`, the provider's credential and extra headers, and the body's `content-length`.
    var headerOptions: [HeaderValueOption] {
        var options: [HeaderValueOption] = []
        options.reserveCapacity(headers.count + 3)
        options.append(Self.overwrite(HeaderField(name: ":path", value: path)))
        options.append(Self.overwrite(HeaderField(name: ":authority", value: authority)))
        for header in headers {
            options.append(Self.overwrite(header))
        }
        options.append(Self.overwrite(HeaderField(name: "content-length", value: String(body.count))))
        return options
    }

    private static func overwrite(_ field: HeaderField) -> HeaderValueOption {
        HeaderValueOption(field, appendAction: .overwriteIfExistsOrAdd)
    }
}

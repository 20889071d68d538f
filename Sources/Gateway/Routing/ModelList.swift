/// The body of `GET /v1/models` in OpenAI's list shape:
/// `{"object":"list","data":[{"id":…,"object":"model","created":0,"owned_by":"tollgate"}]}`.
///
/// Only public model names are listed (aliases are accepted in requests but not advertised), in
/// the configuration's order. `created` is 0: the gateway does not know when a provider's model
/// was made, and the field is required by OpenAI's SDKs.
public enum ModelList {
    public static func body(models: [ModelConfig]) -> [UInt8] {
        var json = JSONWriter(capacity: 32 + models.count * 80)
        json.raw(#"{"object":"list","data":["#)
        for (index, model) in models.enumerated() {
            if index > 0 { json.raw(",") }
            json.raw(#"{"id":"#)
            json.string(model.name)
            json.raw(#","object":"model","created":0,"owned_by":"tollgate"}"#)
        }
        json.raw("]}")
        return json.bytes
    }
}

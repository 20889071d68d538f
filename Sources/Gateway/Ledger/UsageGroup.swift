/// A dimension a usage report can be grouped by, as `tollgate usage --group-by` names it.
public enum UsageGroup: String, Sendable, Hashable, CaseIterable {
    /// The gateway key's name.
    case key
    case tenant
    /// The model the client asked for.
    case model
    /// The model the provider served (a dated snapshot, an Azure deployment).
    case servedModel = "served_model"
    case provider
    case endpoint
    /// The UTC calendar day, `2025-03-01`.
    case day

    /// `key,tenant,model`: names separated by commas (spaces and `-` for `_` tolerated); nil
    /// when a name is unknown or repeated.
    public static func parseList(_ text: String) -> [UsageGroup]? {
        var groups: [UsageGroup] = []
        for part in text.split(separator: ",") {
            let name = String(part.filter { !$0.isWhitespace }).replacingDashes()
            guard let group = UsageGroup(rawValue: name), !groups.contains(group) else {
                return nil
            }
            groups.append(group)
        }
        return groups
    }
}

extension String {
    fileprivate func replacingDashes() -> String {
        String(map { $0 == "-" ? "_" : $0 })
    }
}

/// Which model a request is for, decided from the name in its body and the key that sent it.
///
/// The checks run in the order the contract's statuses imply: a name that is no model or alias is
/// 404, a model the key may not use is 403. Aliases resolve to the model, whose public name is
/// what Envoy routes on (`x-tollgate-model`) and what the upstream phase finds backends under.
public enum BackendSelection {
    public static func model(
        named name: String,
        for key: GatewayKeyConfig,
        in snapshot: GatewaySnapshot
    ) -> Result<ModelConfig, GatewayError> {
        guard let model = snapshot.model(named: name) else {
            return .failure(.modelNotFound(name))
        }
        guard snapshot.isAllowed(model, for: key) else {
            return .failure(.modelNotAllowed(name))
        }
        return .success(model)
    }

    /// The backend an upstream attempt goes to, from the backend id Envoy's host metadata carries.
    /// The backend must belong to `model`: a mismatch means Envoy's clusters and Tollgate's
    /// configuration disagree, and the attempt is refused rather than sent to the wrong model.
    public static func backend(
        id: String,
        model: String,
        in snapshot: GatewaySnapshot
    ) -> Result<ResolvedBackend, GatewayError> {
        guard let resolved = snapshot.backend(id: id) else {
            return .failure(.backendUnresolved("no backend with id \(id) in the configuration"))
        }
        guard resolved.model.name == model else {
            return .failure(.backendUnresolved("backend \(id) does not serve model \(model)"))
        }
        return .success(resolved)
    }
}

"""Every object k8s/ renders is valid for the Kubernetes API (kubernetes-validate's schemas for the
newest version it carries, strict: unknown fields fail), and the chart passes helm lint."""

from __future__ import annotations

import helm_python as helm
import kubernetes_validate
import pytest

import k8s_manifests as k8s

# Chart values that switch on every optional template.
CHART_VARIANTS = {
    "defaults": None,
    "redis": {"redis": {"enabled": True}},
    "fixed-replicas-pvc": {
        "autoscaling": {"enabled": False},
        "replicaCount": 1,
        "persistence": {"existingClaim": "tollgate-data"},
        "networkPolicy": {"enabled": False},
    },
}


def test_kustomize_base_is_valid(base_objects):
    assert len(base_objects) == 7
    k8s.validate(base_objects)


def test_kustomize_base_with_redis_component_is_valid():
    objects = k8s.kustomize_with_redis()
    assert {("Deployment", "tollgate-redis"), ("Service", "tollgate-redis")} <= set(k8s.identities(objects))
    k8s.validate(objects)


@pytest.mark.parametrize("variant", CHART_VARIANTS)
def test_chart_renders_valid_objects(variant):
    objects = k8s.render_chart(CHART_VARIANTS[variant])
    k8s.validate(objects)


def test_chart_value_switches_take_effect():
    fixed = k8s.render_chart(CHART_VARIANTS["fixed-replicas-pvc"])
    kinds = {kind for kind, _ in k8s.identities(fixed)}
    assert "HorizontalPodAutoscaler" not in kinds and "NetworkPolicy" not in kinds
    deployment = k8s.find(fixed, "Deployment", k8s.RELEASE)
    assert deployment["spec"]["replicas"] == 1
    (data,) = [v for v in deployment["spec"]["template"]["spec"]["volumes"] if v["name"] == "data"]
    assert data == {"name": "data", "persistentVolumeClaim": {"claimName": "tollgate-data"}}


def test_istio_example_kubernetes_objects_are_valid():
    objects = k8s.kustomize(k8s.ISTIO)
    kinds = {o["kind"] for o in objects}
    assert k8s.ISTIO_KINDS <= kinds
    k8s.validate([o for o in objects if o["kind"] not in k8s.ISTIO_KINDS])


def test_validation_rejects_an_unknown_field(base_objects):
    """The schemas are applied strictly: a misspelt field is an error, not ignored."""
    deployment = k8s.find(base_objects, "Deployment", k8s.RELEASE)
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        k8s.validate([broken])


def test_chart_lints_clean():
    report = helm.lint(k8s.CHART, strict=True, kube_version=f"v{k8s.KUBERNETES_VERSION}")
    assert report["errors"] == [], report
    # Severity 1 is informational (helm recommends an icon); warnings and errors fail.
    assert [m for m in report["messages"] if m["severity"] >= 2] == [], report

"""The chart's defaults render exactly what k8s/base builds (Helm's own labels aside): the same
objects, the same pod (commands, probes, resources, volumes) and the same Tollgate config, so the
two ways to deploy cannot drift apart. With Redis switched on, the same holds for the component."""

from __future__ import annotations

import k8s_manifests as k8s


def test_same_objects(base_objects, chart_objects):
    assert k8s.identities(chart_objects) == k8s.identities(base_objects)


def test_same_container_commands(base_objects, chart_objects):
    def commands(objects):
        spec = k8s.pod_spec(objects)
        return {c["name"]: (c["command"], c.get("lifecycle")) for c in spec["initContainers"] + spec["containers"]}

    assert commands(chart_objects) == commands(base_objects)


def test_same_tollgate_config(base_objects, chart_objects):
    assert k8s.tollgate_config(chart_objects) == k8s.tollgate_config(base_objects)


def test_every_object_is_the_same(base_objects, chart_objects):
    for kind, name in k8s.identities(base_objects):
        rendered = k8s.without_labels(k8s.find(chart_objects, kind, name))
        built = k8s.without_labels(k8s.find(base_objects, kind, name))
        assert rendered == built, f"{kind} {name} differs between the chart and k8s/base"


def test_redis_matches_the_component_and_reaches_tollgate_config():
    chart = k8s.render_chart({"redis": {"enabled": True}})
    built = k8s.kustomize_with_redis()
    assert k8s.identities(chart) == k8s.identities(built)
    for kind, name in k8s.identities(built):
        if kind == "ConfigMap":
            continue  # the chart also points Tollgate at Redis; the component leaves tollgate.yaml to you
        assert k8s.without_labels(k8s.find(chart, kind, name)) == k8s.without_labels(k8s.find(built, kind, name))

    service = k8s.find(chart, "Service", "tollgate-redis")
    address = f"{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    storage = k8s.tollgate_config(chart)["storage"]
    assert address in str(storage), f"storage: {storage} does not name the release's Redis {address}"
    assert "redis" not in str(k8s.tollgate_config(k8s.render_chart())["storage"])

"""The Istio example's EnvoyFilter is what k8s/istio/envoyfilter.py makes of the bootstrap
`tollgate envoy-config` renders for k8s/istio/tollgate.yaml: regenerated here and compared, its
ext_proc filters, routes and clusters checked against the bootstrap field by field, and the
patches assembled into a bootstrap that Envoy itself validates."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import harness
import k8s_manifests as k8s

GENERATOR = k8s.ISTIO / "envoyfilter.py"
COMMITTED = k8s.ISTIO / "envoyfilter.yaml"
EXT_PROC = "envoy.filters.http.ext_proc"
UPSTREAM_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"


@pytest.fixture(scope="module")
def bootstrap_file(tollgate, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("istio") / "bootstrap.yaml"
    rendered = subprocess.run(
        [str(tollgate), "envoy-config", "--config", str(k8s.ISTIO / "tollgate.yaml"), "--output", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert rendered.returncode == 0, rendered.stderr
    return path


@pytest.fixture(scope="module")
def bootstrap(bootstrap_file) -> dict[str, Any]:
    return yaml.safe_load(bootstrap_file.read_text())


@pytest.fixture(scope="module")
def envoy_filter() -> dict[str, Any]:
    return yaml.safe_load(COMMITTED.read_text())


def patches(envoy_filter: dict[str, Any], apply_to: str) -> list[dict[str, Any]]:
    return [p["patch"]["value"] for p in envoy_filter["spec"]["configPatches"] if p["applyTo"] == apply_to]


def ext_proc_cluster(envoy_filter: dict[str, Any]) -> str:
    (router_filter,) = patches(envoy_filter, "HTTP_FILTER")
    return router_filter["typed_config"]["grpc_service"]["envoy_grpc"]["cluster_name"]


def hcm(bootstrap: dict[str, Any]) -> dict[str, Any]:
    (listener,) = bootstrap["static_resources"]["listeners"]
    return listener["filter_chains"][0]["filters"][0]["typed_config"]


def reaching(http_filter: dict[str, Any], cluster: str) -> dict[str, Any]:
    changed = copy.deepcopy(http_filter)
    changed["typed_config"]["grpc_service"]["envoy_grpc"]["cluster_name"] = cluster
    return changed


def test_committed_envoyfilter_is_the_generators_output(bootstrap_file):
    generated = subprocess.run(
        [sys.executable, str(GENERATOR), str(bootstrap_file)], capture_output=True, text=True, timeout=60, check=False
    )
    assert generated.returncode == 0, generated.stderr
    assert generated.stdout == COMMITTED.read_text(), (
        "k8s/istio/envoyfilter.yaml is stale: tollgate envoy-config --config k8s/istio/tollgate.yaml > b.yaml "
        "&& k8s/istio/envoyfilter.py b.yaml > k8s/istio/envoyfilter.yaml"
    )


def test_ext_proc_filters_carry_the_bootstraps_settings(bootstrap, envoy_filter):
    cluster = ext_proc_cluster(envoy_filter)
    service = k8s.find(k8s.kustomize(k8s.ISTIO), "Service", "tollgate-extproc")
    port = next(p["port"] for p in service["spec"]["ports"] if p["name"] == "grpc")
    assert cluster == f"outbound|{port}||tollgate-extproc.{service['metadata']['namespace']}.svc.cluster.local"

    (router_filter,) = patches(envoy_filter, "HTTP_FILTER")
    rendered_router = next(f for f in hcm(bootstrap)["http_filters"] if f["name"] == EXT_PROC)
    assert router_filter == reaching(rendered_router, cluster)
    settings = router_filter["typed_config"]
    assert settings["failure_mode_allow"] is False
    assert settings["processing_mode"]["request_body_mode"] == "FULL_DUPLEX_STREAMED"

    clusters = patches(envoy_filter, "CLUSTER")
    rendered = {c["name"]: c for c in bootstrap["static_resources"]["clusters"] if c["name"] != "tollgate"}
    assert sorted(c["name"] for c in clusters) == sorted(rendered)
    for patched in clusters:
        filters = patched["typed_extension_protocol_options"][UPSTREAM_OPTIONS]["http_filters"]
        expected = rendered[patched["name"]]["typed_extension_protocol_options"][UPSTREAM_OPTIONS]["http_filters"]
        assert [f["name"] for f in filters] == [f["name"] for f in expected]
        for patched_filter, rendered_filter in zip(filters, expected):
            if rendered_filter["name"] == EXT_PROC:
                assert patched_filter == reaching(rendered_filter, cluster), patched["name"]
            else:
                assert patched_filter == rendered_filter, patched["name"]
        rest = {k: v for k, v in patched.items() if k != "typed_extension_protocol_options"}
        assert rest == {k: v for k, v in rendered[patched["name"]].items() if k != "typed_extension_protocol_options"}


def test_routes_buffer_limit_and_local_replies_are_the_bootstraps(bootstrap, envoy_filter):
    (virtual_host,) = hcm(bootstrap)["route_config"]["virtual_hosts"]
    model_routes = [r for r in virtual_host["routes"] if r["name"].startswith(("model:", "direct:"))]
    assert any(r["name"].startswith("direct:") for r in model_routes), "the example has a one-backend model"
    (vhost_patch,) = patches(envoy_filter, "VIRTUAL_HOST")
    assert vhost_patch["include_attempt_count_in_response"] is True
    # Each INSERT_FIRST goes before the last: applied in order, the routes end up as rendered.
    assert list(reversed(patches(envoy_filter, "HTTP_ROUTE"))) == model_routes
    (listener,) = patches(envoy_filter, "LISTENER")
    bootstrap_listener = bootstrap["static_resources"]["listeners"][0]
    assert listener["per_connection_buffer_limit_bytes"] == bootstrap_listener["per_connection_buffer_limit_bytes"]
    (network_filter,) = patches(envoy_filter, "NETWORK_FILTER")
    assert network_filter["typed_config"]["local_reply_config"] == hcm(bootstrap)["local_reply_config"]

    virtual_service = k8s.find(k8s.kustomize(k8s.ISTIO), "VirtualService", "llm")
    vhosts = {p["match"]["routeConfiguration"]["vhost"]["name"] for p in envoy_filter["spec"]["configPatches"]
              if p["applyTo"] == "HTTP_ROUTE"}
    assert vhosts == {f"{virtual_service['spec']['hosts'][0]}:80"}


def test_envoy_accepts_the_patches(envoy_filter, tmp_path):
    """The patches, put where Istio puts them in a gateway's config, make a config Envoy accepts."""
    cluster = ext_proc_cluster(envoy_filter)
    (listener_patch,) = patches(envoy_filter, "LISTENER")
    (network_patch,) = patches(envoy_filter, "NETWORK_FILTER")
    (ext_proc,) = patches(envoy_filter, "HTTP_FILTER")
    hcm_config = {
        **network_patch["typed_config"],
        "stat_prefix": "gateway",
        "route_config": {
            "virtual_hosts": [{"name": "llm.example.com:80", "domains": ["*"],
                               "routes": list(reversed(patches(envoy_filter, "HTTP_ROUTE")))}]
        },
        "http_filters": [
            ext_proc,
            {"name": "envoy.filters.http.router", "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}},
        ],
    }
    # Istio's own cluster for Tollgate's Service: HTTP/2, as appProtocol grpc makes it.
    tollgate = {
        "name": cluster, "type": "STRICT_DNS", "connect_timeout": "1s",
        "typed_extension_protocol_options": {UPSTREAM_OPTIONS: {
            "@type": f"type.googleapis.com/{UPSTREAM_OPTIONS}",
            "explicit_http_config": {"http2_protocol_options": {}}}},
        "load_assignment": {"cluster_name": cluster, "endpoints": [{"lb_endpoints": [{"endpoint": {"address": {
            "socket_address": {"address": "tollgate-extproc.tollgate.svc.cluster.local", "port_value": 50051}}}}]}]},
    }
    config = {
        "static_resources": {
            "listeners": [{
                "name": "0.0.0.0_8080",
                "address": {"socket_address": {"address": "0.0.0.0", "port_value": 8080}},
                **listener_patch,
                "filter_chains": [{"filters": [{"name": network_patch["name"], "typed_config": hcm_config}]}],
            }],
            "clusters": [tollgate, *patches(envoy_filter, "CLUSTER")],
        }
    }
    path = tmp_path / "gateway.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    validated = harness.validate_envoy_config(path)
    assert validated.returncode == 0, validated.stdout + validated.stderr

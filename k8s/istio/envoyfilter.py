#!/usr/bin/env python3
"""Turns the Envoy bootstrap `tollgate envoy-config` renders into an Istio EnvoyFilter.

In a mesh, Envoy belongs to Istio, so Tollgate's side of it has to arrive as patches to Istio's
own config. This takes every piece from the rendered bootstrap, so the patches say exactly what
`tollgate envoy-config` says and cannot drift from it:

- the router-level ext_proc filter, inserted before the router of the gateway's HTTP listeners;
- the listener's buffer limit (the buffered request body must fit) and Envoy's JSON local replies;
- one route per model (two for a one-backend model: its direct route first), first in the gateway's
  virtual host for the LLM hostname, whose responses carry Envoy's attempt count;
- one cluster per model, with the upstream ext_proc and header_mutation filters, TLS per provider
  and the backend metadata Tollgate reads on every attempt, and a one-backend model's direct
  cluster (the same without the upstream ext_proc).

Envoy reaches Tollgate through Istio's own outbound cluster for Tollgate's Service (mTLS and
HTTP/2 from the mesh), so the bootstrap's `tollgate` cluster is replaced by that name. The patches
apply to every HTTP listener of the selected gateway: give LLM traffic a gateway of its own.

    tollgate envoy-config --config tollgate.yaml > bootstrap.yaml
    k8s/istio/envoyfilter.py bootstrap.yaml > envoyfilter.yaml

Rerun both after a change to models or providers and apply the result: Istio pushes it to the
gateway without a restart. Needs PyYAML.
"""

from __future__ import annotations

import argparse
import copy
import sys
from typing import Any

import yaml

HCM = "envoy.filters.network.http_connection_manager"
HCM_TYPE = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
EXT_PROC = "envoy.filters.http.ext_proc"
ROUTER = "envoy.filters.http.router"
UPSTREAM_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
# The bootstrap's cluster for Tollgate; in the mesh, Istio's cluster for Tollgate's Service.
TOLLGATE_CLUSTER = "tollgate"
# A model's route, and a one-backend model's direct route (to its cluster without the upstream ext_proc).
MODEL_ROUTE_PREFIXES = ("model:", "direct:")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bootstrap", help="the output of `tollgate envoy-config` (without --xds-dir)")
    parser.add_argument("--name", default="tollgate", help="the EnvoyFilter's name")
    parser.add_argument("--namespace", default="istio-ingress", help="the gateway's namespace")
    parser.add_argument("--selector", default="istio=llm-gateway", help="the gateway pods' label, key=value")
    parser.add_argument("--vhost", default="llm.example.com:80", help="Istio's virtual host for the LLM hostname")
    parser.add_argument(
        "--ext-proc-cluster",
        default="outbound|50051||tollgate-extproc.tollgate.svc.cluster.local",
        help="Istio's cluster for Tollgate's ext_proc Service",
    )
    args = parser.parse_args()
    with open(args.bootstrap, encoding="utf-8") as file:
        bootstrap = yaml.safe_load(file)
    key, _, value = args.selector.partition("=")
    envoy_filter = render(bootstrap, args.name, args.namespace, {key: value}, args.vhost, args.ext_proc_cluster)
    sys.stdout.write(header(args))
    yaml.safe_dump(envoy_filter, sys.stdout, sort_keys=False, width=120)


def header(args: argparse.Namespace) -> str:
    options = [
        f"--{name.replace('_', '-')} '{getattr(args, name)}'"
        for name in ("name", "namespace", "selector", "vhost", "ext_proc_cluster")
    ]
    return (
        "# Rendered by k8s/istio/envoyfilter.py from `tollgate envoy-config`: do not edit, render again.\n"
        f"#   k8s/istio/envoyfilter.py BOOTSTRAP {' '.join(options)}\n"
    )


def render(
    bootstrap: dict[str, Any],
    name: str,
    namespace: str,
    selector: dict[str, str],
    vhost: str,
    ext_proc_cluster: str,
) -> dict[str, Any]:
    """The EnvoyFilter for `bootstrap`, with Tollgate reached at `ext_proc_cluster`."""
    resources = bootstrap["static_resources"]
    if "dynamic_resources" in bootstrap:
        raise SystemExit("envoyfilter.py: render the bootstrap without --xds-dir: the patches carry routes and clusters")
    (listener,) = resources["listeners"]
    (chain,) = listener["filter_chains"]
    (hcm,) = [f["typed_config"] for f in chain["filters"] if f["name"] == HCM]
    ext_proc = next(f for f in hcm["http_filters"] if f["name"] == EXT_PROC)
    (virtual_host,) = hcm["route_config"]["virtual_hosts"]
    routes = [r for r in virtual_host["routes"] if r["name"].startswith(MODEL_ROUTE_PREFIXES)]
    clusters = [c for c in resources["clusters"] if c["name"] != TOLLGATE_CLUSTER]
    gateway_listener = {"filterChain": {"filter": {"name": HCM}}}

    patches: list[dict[str, Any]] = [
        {
            "applyTo": "LISTENER",
            "match": {"context": "GATEWAY"},
            "patch": {
                "operation": "MERGE",
                "value": {"per_connection_buffer_limit_bytes": listener["per_connection_buffer_limit_bytes"]},
            },
        },
        {
            "applyTo": "NETWORK_FILTER",
            "match": {"context": "GATEWAY", "listener": gateway_listener},
            "patch": {
                "operation": "MERGE",
                "value": {
                    "name": HCM,
                    "typed_config": {"@type": HCM_TYPE, "local_reply_config": hcm["local_reply_config"]},
                },
            },
        },
        {
            "applyTo": "HTTP_FILTER",
            "match": {
                "context": "GATEWAY",
                "listener": {"filterChain": {"filter": {"name": HCM, "subFilter": {"name": ROUTER}}}},
            },
            "patch": {"operation": "INSERT_BEFORE", "value": with_ext_proc_cluster(ext_proc, ext_proc_cluster)},
        },
    ]
    # Envoy's attempt count on responses, which Tollgate reads for direct requests (and removes).
    patches.append(
        {
            "applyTo": "VIRTUAL_HOST",
            "match": {"context": "GATEWAY", "routeConfiguration": {"vhost": {"name": vhost}}},
            "patch": {
                "operation": "MERGE",
                "value": {"include_attempt_count_in_response": virtual_host["include_attempt_count_in_response"]},
            },
        }
    )
    # INSERT_FIRST puts each route before the ones already there: add them last to first.
    for route in reversed(routes):
        patches.append(
            {
                "applyTo": "HTTP_ROUTE",
                "match": {"context": "GATEWAY", "routeConfiguration": {"vhost": {"name": vhost}}},
                "patch": {"operation": "INSERT_FIRST", "value": route},
            }
        )
    for cluster in clusters:
        patches.append(
            {
                "applyTo": "CLUSTER",
                "match": {"context": "GATEWAY"},
                "patch": {"operation": "ADD", "value": with_upstream_ext_proc_cluster(cluster, ext_proc_cluster)},
            }
        )
    return {
        "apiVersion": "networking.istio.io/v1alpha3",
        "kind": "EnvoyFilter",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"workloadSelector": {"labels": selector}, "configPatches": patches},
    }


def with_ext_proc_cluster(http_filter: dict[str, Any], cluster: str) -> dict[str, Any]:
    """An ext_proc filter entry that reaches Tollgate at `cluster`."""
    changed = copy.deepcopy(http_filter)
    grpc = changed["typed_config"]["grpc_service"]["envoy_grpc"]
    if grpc["cluster_name"] != TOLLGATE_CLUSTER:
        raise SystemExit(f"envoyfilter.py: ext_proc reaches {grpc['cluster_name']!r}, expected {TOLLGATE_CLUSTER!r}")
    grpc["cluster_name"] = cluster
    return changed


def with_upstream_ext_proc_cluster(model_cluster: dict[str, Any], cluster: str) -> dict[str, Any]:
    """A model cluster whose upstream ext_proc filter reaches Tollgate at `cluster`."""
    changed = copy.deepcopy(model_cluster)
    options = changed["typed_extension_protocol_options"][UPSTREAM_OPTIONS]
    options["http_filters"] = [
        with_ext_proc_cluster(f, cluster) if f["name"] == EXT_PROC else f for f in options["http_filters"]
    ]
    return changed


if __name__ == "__main__":
    main()

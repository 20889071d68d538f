"""Hot reload through the real Envoy: a new model on a new provider routes within seconds without
restarting anything (Tollgate swaps its snapshot and rewrites Envoy's xDS files, which Envoy
watches), a rotated credential file is used on the next request, and a broken file changes nothing."""

from __future__ import annotations

import json
import time

import pytest

from conftest import BETA_SECRET
from fake_providers import FakeProvider
from gateway_stack import write_atomically
import harness

pytestmark = pytest.mark.timeout(180)

RELOAD_DEADLINE = 10.0  # seconds: polling is every 0.2 s, Envoy reads a moved xDS file at once


def current_config(stack) -> dict:
    return json.loads(stack.config_path.read_text())


def test_reload_adds_a_model_on_a_new_provider(make_gateway, keys):
    stack = make_gateway()
    gamma = FakeProvider("gamma", harness.free_port(40000, 48999))
    try:
        _, before = stack.chat("m-gamma", keys.all)
        assert before.status == 404 and before.json["error"]["code"] == "model_not_found", before
        clusters_before = stack.envoy_clusters()
        envoy_pid = stack.envoy.pid

        config = current_config(stack)
        config["providers"].append(
            {"name": "gamma", "schema": "openai", "base_url": f"{gamma.base_url}/v1", "credential": {"env": "TOLLGATE_E2E_ALPHA_KEY"}}
        )
        config["models"].append({"name": "m-gamma", "aliases": ["g"], "backends": [{"provider": "gamma", "model": "gamma-up"}]})
        write_atomically(stack.config_path, json.dumps(config, indent=2))
        started = time.monotonic()

        def routed():
            marker, reply = stack.chat("g", keys.all)
            return (marker, reply) if reply.status == 200 else None

        marker, reply = harness.wait_until(routed, RELOAD_DEADLINE, "the new model to route", interval=0.2)
        took = time.monotonic() - started
        assert reply.headers.get("x-fake-provider") == "gamma"
        received = gamma.find(marker)
        assert received.path == "/v1/chat/completions"
        assert received.json["model"] == "gamma-up"
        assert received.header("content-length") == str(len(received.body))
        print(f"new model routed {took:.2f}s after the config file changed")

        # Envoy learnt a cluster without a restart; the old models still route.
        assert stack.envoy.pid == envoy_pid and stack.envoy.alive()
        new_clusters = stack.envoy_clusters() - clusters_before
        assert new_clusters == {"tollgate_model_m-gamma"}, new_clusters
        _, old = stack.chat("m-alpha", keys.all)
        assert old.status == 200, old
        assert stack.tollgate_metric("tollgate_config_reloads_total") >= 1

        # And a model removed from the file stops routing (Tollgate answers model_not_found).
        config["models"] = [m for m in config["models"] if m["name"] != "m-beta"]
        write_atomically(stack.config_path, json.dumps(config, indent=2))
        harness.wait_until(
            lambda: stack.chat("m-beta", keys.all)[1].status == 404, RELOAD_DEADLINE, "m-beta to be gone", interval=0.2
        )
        harness.wait_until(
            lambda: "tollgate_model_m-beta" not in stack.envoy_clusters(), RELOAD_DEADLINE, "Envoy to drop the m-beta cluster"
        )
        stack.assert_alive()
    finally:
        gamma.close()


def test_rotated_credential_file_is_used_on_the_next_request(make_gateway, fakes, keys, workdir):
    stack = make_gateway()
    marker, reply = stack.chat("m-beta", keys.all)
    assert reply.status == 200, reply
    assert fakes.beta.find(marker).header("authorization") == f"Bearer {BETA_SECRET}"

    # Kubernetes updates a Secret mount by swapping a symlink; an atomic rename is what a reader sees.
    write_atomically(workdir / "beta.key", "sk-beta-rotated-2\n")

    def rotated():
        marker, reply = stack.chat("m-beta", keys.all)
        assert reply.status == 200, reply
        return fakes.beta.find(marker).header("authorization") == "Bearer sk-beta-rotated-2"

    harness.wait_until(rotated, RELOAD_DEADLINE, "the rotated key to reach the provider", interval=0.2)
    # From then on, every request carries the new key.
    for _ in range(5):
        marker, reply = stack.chat("m-beta", keys.all)
        assert reply.status == 200, reply
        assert fakes.beta.find(marker).header("authorization") == "Bearer sk-beta-rotated-2"


@pytest.mark.parametrize(
    "breakage",
    ["not yaml", "unknown provider", "missing credential file"],
)
def test_broken_file_changes_nothing(make_gateway, fakes, keys, workdir, breakage):
    stack = make_gateway()
    xds_before = {path.name: path.read_bytes() for path in stack.xds_dir.iterdir() if not path.name.startswith(".")}
    failures_before = stack.tollgate_metric("tollgate_config_reload_failures_total")
    config = current_config(stack)
    if breakage == "not yaml":
        text = "providers: [\n  this is: { not yaml\n"
    elif breakage == "unknown provider":
        config["models"].append({"name": "m-broken", "backends": [{"provider": "nobody", "model": "x"}]})
        config["models"] = [m for m in config["models"] if m["name"] != "m-alpha"]
        text = json.dumps(config)
    else:
        config["providers"][1]["credential"] = {"file": str(workdir / "no-such-file")}
        text = json.dumps(config)
    write_atomically(stack.config_path, text)

    harness.wait_until(
        lambda: stack.tollgate_metric("tollgate_config_reload_failures_total") > failures_before,
        RELOAD_DEADLINE,
        "tollgate to count the refused reload",
    )
    time.sleep(1.0)  # several more polls: still refused, nothing swapped
    for model, provider in (("m-alpha", fakes.alpha), ("m-beta", fakes.beta), ("alpha-fast", fakes.alpha)):
        marker, reply = stack.chat(model, keys.all)
        assert reply.status == 200, (model, reply)
        provider.find(marker)
    _, reply = stack.chat("m-broken", keys.all)
    assert reply.status == 404, reply
    xds_after = {path.name: path.read_bytes() for path in stack.xds_dir.iterdir() if not path.name.startswith(".")}
    assert xds_after == xds_before, "a refused config rewrote Envoy's files"
    stack.assert_alive()

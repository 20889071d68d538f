"""Hot reload through the real Envoy: a new model on a new provider routes within seconds without
restarting anything (Tollgate swaps its snapshot and rewrites Envoy's xDS files, which Envoy
watches), a rotated credential file is used on the next request, and a broken file changes nothing."""

from __future__ import annotations

import json
import time

import pytest

from conftest import ALPHA_SECRET, BETA_SECRET
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
        # (and, the model having one backend, its direct cluster)
        assert new_clusters == {"tollgate_model_m-gamma", "tollgate_direct_m-gamma"}, new_clusters
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


def test_a_model_moving_between_one_and_two_backends_keeps_routing(make_gateway, fakes, keys):
    """A one-backend model's requests take its direct route (no upstream phase); given a second
    backend by a reload they take its normal route again, and back. Every request in between, sent
    while Envoy and Tollgate switch, is answered by a provider with that provider's key."""
    stack = make_gateway()
    upstream_streams = "cluster.tollgate_model_m-alpha.ext_proc.upstream.streams_started"

    def upstream_phase_runs() -> int:
        return stack.envoy_stats("tollgate_model_m-alpha.ext_proc").get(upstream_streams, 0)

    def chat_ok() -> None:
        marker, reply = stack.chat("m-alpha", keys.all)
        assert reply.status == 200, reply
        provider = reply.headers.get("x-fake-provider")
        received = getattr(fakes, provider).find(marker)
        assert received.header("authorization") == f"Bearer {ALPHA_SECRET if provider == 'alpha' else BETA_SECRET}"

    chat_ok()
    assert upstream_phase_runs() == 0, "one backend: the direct route"

    config = current_config(stack)
    alpha = next(m for m in config["models"] if m["name"] == "m-alpha")
    alpha["backends"].append({"provider": "beta", "model": "beta-upstream", "priority": 1})
    write_atomically(stack.config_path, json.dumps(config, indent=2))
    deadline = time.monotonic() + RELOAD_DEADLINE
    while upstream_phase_runs() == 0:
        assert time.monotonic() < deadline, "m-alpha never took its normal route after the reload"
        chat_ok()
    harness.wait_until(
        lambda: "tollgate_direct_m-alpha" not in stack.envoy_clusters(), RELOAD_DEADLINE, "Envoy to drop the direct cluster"
    )
    for _ in range(3):
        chat_ok()

    alpha["backends"].pop()
    write_atomically(stack.config_path, json.dumps(config, indent=2))
    harness.wait_until(
        lambda: "tollgate_direct_m-alpha" in stack.envoy_clusters(), RELOAD_DEADLINE, "Envoy to load the direct cluster"
    )
    deadline = time.monotonic() + RELOAD_DEADLINE
    while True:
        before = upstream_phase_runs()
        chat_ok()
        if upstream_phase_runs() == before:
            break
        assert time.monotonic() < deadline, "m-alpha never took its direct route again"
    settled = upstream_phase_runs()
    for _ in range(3):
        chat_ok()
    assert upstream_phase_runs() == settled, "one backend again: the direct route"
    stack.assert_alive()


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

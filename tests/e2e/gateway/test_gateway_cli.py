"""`tollgate envoy-config` renders configs Envoy 1.40 accepts (and envoy/gateway-example.yaml is the
current render of examples/tollgate.yaml); `tollgate fake-provider` works behind the gateway, as the
quick start uses it."""

from __future__ import annotations

import json
import subprocess

import pytest

import harness
from gateway_stack import GatewayStack, new_key

pytestmark = pytest.mark.timeout(180)

EXAMPLE = harness.REPO / "examples" / "tollgate.yaml"
RENDERED_EXAMPLE = harness.REPO / "envoy" / "gateway-example.yaml"


def validate(path) -> None:
    run = subprocess.run(
        [harness.envoy_binary(), "--mode", "validate", "-c", str(path), "--disable-hot-restart"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, f"envoy rejected {path}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"


def test_example_render_is_current_and_valid(tollgate, workdir):
    rendered = subprocess.run(
        [str(tollgate), "envoy-config", "--config", str(EXAMPLE)], capture_output=True, text=True, timeout=60
    )
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout == RENDERED_EXAMPLE.read_text(), (
        "envoy/gateway-example.yaml is stale: run "
        "`tollgate envoy-config --config examples/tollgate.yaml --output envoy/gateway-example.yaml`"
    )
    validate(RENDERED_EXAMPLE)


def test_xds_render_is_valid_and_writes_its_files(tollgate, workdir):
    xds = workdir / "xds"
    out = workdir / "envoy.yaml"
    rendered = subprocess.run(
        [
            str(tollgate), "envoy-config", "--config", str(EXAMPLE), "--listen", "0.0.0.0:8080",
            "--admin-port", "9911", "--xds-dir", str(xds), "--output", str(out),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rendered.returncode == 0, rendered.stderr
    assert sorted(p.name for p in xds.iterdir()) == ["clusters.yaml", "routes.yaml"]
    validate(out)
    text = out.read_text()
    assert str(xds / "clusters.yaml") in text and str(xds / "routes.yaml") in text


def test_envoy_config_reports_a_bad_config(tollgate, workdir):
    bad = workdir / "bad.yaml"
    bad.write_text("server:\n  socket: /tmp/x.sock\nmodels:\n  - name: m\n    backends:\n      - provider: nobody\n        model: x\n")
    rendered = subprocess.run(
        [str(tollgate), "envoy-config", "--config", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert rendered.returncode != 0
    assert "bad.yaml:" in rendered.stderr and "nobody" in rendered.stderr, rendered.stderr
    assert rendered.stdout == ""


def test_fake_provider_behind_the_gateway(tollgate, workdir):
    port = harness.free_port(40000, 48999)
    fake = harness.Process(
        "fake-provider",
        [str(tollgate), "fake-provider", "--listen", f"127.0.0.1:{port}", "--api-key", "sk-fake-provider", "--model", "fake-model"],
        workdir,
    )
    stack = None
    try:
        harness.wait_until(
            lambda: fake.check_alive("while starting") or "listening on" in fake.log_path.read_text(),
            30,
            "fake-provider to listen",
        )
        key, digest = new_key()
        stack = GatewayStack(
            workdir,
            {
                "providers": [
                    {
                        "name": "fake",
                        "schema": "openai",
                        "base_url": f"http://127.0.0.1:{port}/v1",
                        "credential": {"env": "FAKE_PROVIDER_KEY"},
                    }
                ],
                "models": [{"name": "fake-model", "aliases": ["default"], "backends": [{"provider": "fake", "model": "fake-upstream"}]}],
                "keys": [{"name": "quickstart", "sha256": digest}],
            },
            env={"FAKE_PROVIDER_KEY": "sk-fake-provider"},
        )
        reply = stack.request(
            "POST", "/v1/chat/completions", {"model": "default", "messages": [{"role": "user", "content": "hi"}]}, key=key
        )
        assert reply.status == 200, reply
        body = reply.json
        assert body["object"] == "chat.completion"
        assert body["model"] == "fake-upstream"  # the fake echoes the upstream name the gateway sent
        assert body["choices"][0]["message"]["content"].endswith("You said: hi")
        assert body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]

        reply = stack.request(
            "POST",
            "/v1/chat/completions",
            {"model": "fake-model", "stream": True, "stream_options": {"include_usage": True}, "messages": [{"role": "user", "content": "yo"}]},
            key=key,
        )
        assert reply.status == 200, reply
        events = [e for e in reply.body.decode().split("\n\n") if e]
        assert events[-1] == "data: [DONE]"
        assert json.loads(events[-2][6:])["usage"]["total_tokens"] > 0

        reply = stack.request("POST", "/v1/embeddings", {"model": "fake-model", "input": ["a", "b"]}, key=key)
        assert reply.status == 200, reply
        assert len(reply.json["data"]) == 2
    finally:
        if stack:
            stack.stop()
        fake.stop()

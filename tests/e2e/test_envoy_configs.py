"""The Envoy bootstraps we ship, and the ones the tests render, pass `envoy --mode validate`."""

from __future__ import annotations

import json

import pytest

from harness import REPO, envoy_config, ext_proc_filter, validate_envoy_config

SHIPPED = sorted(p.relative_to(REPO) for p in (REPO / "envoy").glob("*.yaml"))


def test_the_quick_start_bootstrap_is_shipped():
    assert REPO.joinpath("envoy", "envoy.yaml") in [REPO / p for p in SHIPPED]


@pytest.mark.parametrize("path", SHIPPED, ids=str)
def test_shipped_bootstrap_validates(path):
    run = validate_envoy_config(REPO / path)
    assert run.returncode == 0, f"envoy --mode validate -c {path}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"


@pytest.mark.parametrize(
    "variant",
    [
        dict(probe_tcp_port=18999),
        dict(probe_socket="/tmp/tg-validate/probe.sock", graceful_close=True),
        dict(probe_tcp_port=18999, fast_port=18998, grpc_health_check=True),
    ],
    ids=["tcp", "unix-graceful", "tcp-fast-healthcheck"],
)
@pytest.mark.parametrize("mode", ["BUFFERED", "STREAMED"])
def test_rendered_bootstrap_validates(tmp_path, variant, mode):
    config = envoy_config(
        listener_port=18997,
        upstream_port=18996,
        ext_proc=ext_proc_filter(request_body_mode=mode, response_body_mode=mode),
        **variant,
    )
    path = tmp_path / "envoy.json"
    path.write_text(json.dumps(config))
    run = validate_envoy_config(path)
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"

"""grpc.health.v1 on the probe's own port: direct h2c calls, and Envoy's gRPC health checker."""

from __future__ import annotations

import os
import stat

import pytest

from grpc_h2 import (
    HEALTH_CHECK_METHOD,
    OK,
    SERVING,
    UNIMPLEMENTED,
    GrpcH2Connection,
    health_check,
    parse_health_status,
)
from harness import Probe, wait_until


def assert_serving(result) -> None:
    assert result.headers.get(":status") == "200", result.describe()
    assert result.headers.get("content-type", "").startswith("application/grpc"), result.describe()
    assert result.grpc_status == OK, f"grpc-status {result.grpc_status} ({result.grpc_message}): {result.describe()}"
    messages = result.messages()
    assert len(messages) == 1, result.describe()
    assert parse_health_status(messages[0]) == SERVING, f"HealthCheckResponse {messages[0]!r}"


def test_health_check_over_tcp(probe):
    assert_serving(health_check("127.0.0.1", probe.port))


def test_health_check_over_unix_socket(probe):
    with GrpcH2Connection(unix_path=probe.socket_path) as conn:
        assert_serving(conn.unary(HEALTH_CHECK_METHOD, b""))


def test_health_checks_share_one_connection(probe):
    """Many sequential calls on one connection: stream ids advance, every call answers SERVING."""
    with GrpcH2Connection("127.0.0.1", probe.port) as conn:
        for _ in range(50):
            assert_serving(conn.unary(HEALTH_CHECK_METHOD, b""))


@pytest.mark.parametrize("method", ["/grpc.health.v1.Health/Watch2", "/no.such.Service/Method"])
def test_unknown_method_is_unimplemented(probe, method):
    with GrpcH2Connection("127.0.0.1", probe.port) as conn:
        result = conn.unary(method, b"")
        assert result.grpc_status == UNIMPLEMENTED, f"{method}: {result.describe()}"
        # The connection stays usable after the error.
        assert_serving(conn.unary(HEALTH_CHECK_METHOD, b""))
    assert probe.metric("tollgate_errors_total", kind="unimplemented_method") >= 1


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_envoy_grpc_health_checker_sees_the_probe_healthy(make_stack, transport):
    stack = make_stack(transport, grpc_health_check=True)

    def checked_healthy() -> bool:
        stats = stack.envoy.stats(r"^cluster\.tollgate\.health_check\.")
        assert stats.get("cluster.tollgate.health_check.failure", 0) == 0, f"health checks failed: {stats}"
        return stats.get("cluster.tollgate.health_check.success", 0) >= 3

    wait_until(checked_healthy, 15, "three successful gRPC health checks from Envoy")
    _, clusters = stack.envoy.admin("/clusters")
    flags = [line for line in clusters.decode().splitlines() if line.startswith("tollgate::") and "health_flags" in line]
    assert flags and all(line.endswith("::healthy") for line in flags), flags
    # Health checks and ext_proc streams share the cluster; traffic still flows.
    _, status, headers, _ = stack.request("GET", "/after-health-checks")
    assert status == 200 and headers.get("x-tollgate-probe-response") == "response-headers"


@pytest.mark.parametrize("mode", [0o600, 0o660])
def test_unix_socket_takes_the_configured_mode(probe_binary, workdir, mode):
    """`--socket-mode` sets who may connect (write permission on the socket file): the file has
    exactly that mode, whatever the umask, and the server still answers on it."""
    probe = Probe(workdir, binary=probe_binary, name=f"mode{mode:o}", extra_args=["--socket-mode", f"{mode:04o}"])
    try:
        assert stat.S_IMODE(os.stat(probe.socket_path).st_mode) == mode
        with GrpcH2Connection(unix_path=probe.socket_path) as conn:
            assert_serving(conn.unary(HEALTH_CHECK_METHOD, b""))
    finally:
        probe.stop()

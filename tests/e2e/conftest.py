"""Fixtures for the end-to-end tests: TollgateProbe + Envoy 1.40 + a local upstream, all on loopback."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import harness
from harness import MiB, Envoy, Probe, envoy_config, ext_proc_filter, free_port, http_request, short_tempdir
from upstream import Upstream


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the tail of every live process's log (probe, envoy) to the report."""
    report = yield
    if report.failed:
        for process in list(harness.LIVE):
            report.sections.append((f"{process.name} (pid {process.pid}) log, last lines", process.tail(80)))
    return report


def pytest_sessionfinish(session, exitstatus):
    harness.stop_all()


@pytest.fixture(scope="session")
def probe_binary() -> Path:
    try:
        return harness.probe_binary()
    except Exception as error:  # noqa: BLE001 - one clear message for every e2e test
        pytest.fail(f"cannot build TollgateProbe: {error}", pytrace=False)


@pytest.fixture(scope="session")
def tollgate_binary() -> Path:
    try:
        return harness.tollgate_binary()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"cannot build tollgate: {error}", pytrace=False)


@pytest.fixture(scope="session")
def upstream() -> Iterator[Upstream]:
    server = Upstream("127.0.0.1", free_port())
    yield server
    server.close()


@pytest.fixture
def workdir(request) -> Iterator[Path]:
    path = short_tempdir("tg-e2e-")
    yield path
    failed = any(getattr(request.node, f"report_{when}", None) and getattr(request.node, f"report_{when}").failed
                 for when in ("setup", "call"))
    if failed:
        harness.log(f"keeping {path} for the failed test {request.node.nodeid}")
    else:
        shutil.rmtree(path, ignore_errors=True)


@dataclass
class Stack:
    """One probe, one Envoy in front of it, the shared upstream."""

    probe: Probe
    envoy: Envoy
    upstream: Upstream
    port: int  # Envoy's ingress listener

    def request(
        self,
        method: str = "GET",
        path: str = "/",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> tuple[str, int, dict[str, str], bytes]:
        """A request through Envoy tagged with a fresh x-test-id; returns (test_id, status, headers, body)."""
        test_id = uuid.uuid4().hex
        status, response_headers, data = http_request(
            "127.0.0.1", self.port, method, path, body, {"x-test-id": test_id, **(headers or {})}, timeout
        )
        return test_id, status, response_headers, data

    def assert_streams_ended_cleanly(self, graceful_close: bool, streams: int) -> dict[str, int]:
        """Every ext_proc stream ended the way the close mode says, and none was reset by the server.

        Reset mode: Envoy resets each stream at request end (upstream_rq_tx_reset == streams).
        Graceful mode: Envoy half-closes and waits (1 s) for the server to finish the stream with
        trailers; a server that did not would be reset by Envoy, so upstream_rq_tx_reset must be 0.
        """
        prefix = "cluster.tollgate."

        def completed() -> dict[str, int] | None:
            stats = self.envoy.stats(r"^cluster\.tollgate\.upstream_rq_")
            return stats if stats.get(prefix + "upstream_rq_completed", 0) >= streams else None

        stats = harness.wait_until(completed, 15, f"{streams} ext_proc streams to complete at Envoy")
        tx_reset = stats.get(prefix + "upstream_rq_tx_reset", 0)
        rx_reset = stats.get(prefix + "upstream_rq_rx_reset", 0)
        assert rx_reset == 0, f"the server reset {rx_reset} ext_proc streams: {stats}"
        if graceful_close:
            assert tx_reset == 0, f"graceful close, yet Envoy reset {tx_reset} of {streams} streams: {stats}"
        else:
            assert tx_reset == streams, f"reset close: Envoy reset {tx_reset} of {streams} streams: {stats}"
        return stats

    def assert_no_ext_proc_failures(self) -> dict[str, int]:
        stats = self.envoy.ext_proc_stats()
        bad = {name: stats.get(name) for name in harness.EXT_PROC_FAILURE_STATS if stats.get(name)}
        assert not bad, f"Envoy's ext_proc failure counters are not zero: {bad}; all: {stats}"
        return stats


@pytest.fixture
def make_stack(probe_binary, upstream, workdir) -> Iterator:
    """make_stack(transport='tcp'|'unix', graceful_close=False, probe=dict(...), **ext_proc_filter kwargs)."""
    started: list[Probe | Envoy] = []

    def make(
        transport: str = "tcp",
        *,
        graceful_close: bool = False,
        probe_options: dict | None = None,
        fast_upstream: bool = False,
        grpc_health_check: bool = False,
        envoy_concurrency: int = 1,
        envoy_log_level: str = "info",
        **filter_options,
    ) -> Stack:
        assert transport in ("tcp", "unix")
        probe = Probe(workdir, **{"binary": probe_binary, **(probe_options or {})})
        started.append(probe)
        config = envoy_config(
            listener_port=free_port(),
            upstream_port=upstream.port,
            ext_proc=ext_proc_filter(**filter_options),
            probe_tcp_port=probe.port if transport == "tcp" else None,
            probe_socket=probe.socket_path if transport == "unix" else None,
            fast_port=free_port() if fast_upstream else None,
            graceful_close=graceful_close,
            grpc_health_check=grpc_health_check,
        )
        envoy = Envoy(workdir, config, concurrency=envoy_concurrency, log_level=envoy_log_level)
        started.append(envoy)
        port = config["static_resources"]["listeners"][0]["address"]["socket_address"]["port_value"]
        return Stack(probe=probe, envoy=envoy, upstream=upstream, port=port)

    yield make
    # Envoy first (it holds connections to the probe), then the probe.
    for process in reversed(started):
        process.stop(timeout=10)


@pytest.fixture
def probe(probe_binary, workdir) -> Iterator[Probe]:
    """A probe on its own (TCP and Unix socket), for raw h2c tests; 1 MiB message cap."""
    instance = Probe(workdir, binary=probe_binary, max_message_bytes=1 * MiB)
    yield instance
    instance.stop()

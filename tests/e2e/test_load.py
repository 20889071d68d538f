"""Bounded load through Envoy and the probe: no failed ext_proc stream, no non-2xx, flat memory.

20,000 POSTs with a 1 KB body at 64 concurrent streams (h2load -c 8 -m 8) after a 2,000-request
warm-up; every request takes the request-headers, buffered request-body (echoed) and
response-headers phases. The upstream is a direct_response listener in the same Envoy, so no
Python sits in the loop.
"""

from __future__ import annotations

import os

import pytest

from harness import MiB, h2load, log, wait_until

WARM_UP_REQUESTS = 2_000
LOAD_REQUESTS = 20_000
RSS_GROWTH_LIMIT_KIB = 20 * 1024  # 20 MiB between the end of the warm-up and the end of the load


def total(metrics: dict, name: str) -> float:
    return sum(value for (metric, _labels), value in metrics.items() if metric == name)


@pytest.mark.load
@pytest.mark.parametrize("graceful_close", [False, True], ids=["reset-close", "graceful-close"])
def test_bounded_load(make_stack, workdir, graceful_close):
    stack = make_stack("tcp", graceful_close=graceful_close, fast_upstream=True, probe_options={"threads": 2})
    body_file = workdir / "body.bin"
    body_file.write_bytes(os.urandom(1024))
    url = f"http://127.0.0.1:{stack.port}/fast/load"
    headers = {"x-probe-body": "echo", "content-type": "application/octet-stream"}

    warm = h2load(url, requests=WARM_UP_REQUESTS, clients=8, streams=8, data_file=body_file, headers=headers, timeout=120)
    assert warm.succeeded == WARM_UP_REQUESTS and warm.status_2xx == WARM_UP_REQUESTS, f"warm-up: {warm.summary()}"
    wait_until(lambda: stack.probe.metric("tollgate_grpc_streams_active") == 0, 10, "no active streams after warm-up")
    rss_before = stack.probe.process.rss_kib()

    load = h2load(url, requests=LOAD_REQUESTS, clients=8, streams=8, data_file=body_file, headers=headers, timeout=300)
    wait_until(lambda: stack.probe.metric("tollgate_grpc_streams_active") == 0, 10, "no active streams after the load")
    rss_after = stack.probe.process.rss_kib()
    log(f"load ({'graceful' if graceful_close else 'reset'} close): {load.summary()}; "
        f"probe RSS {rss_before} KiB -> {rss_after} KiB")  # fmt: skip

    assert load.succeeded == LOAD_REQUESTS, f"h2load: {load.summary()}"
    assert load.status_2xx == LOAD_REQUESTS, f"non-2xx responses: {load.summary()}"

    stats = stack.assert_no_ext_proc_failures()
    expected = WARM_UP_REQUESTS + LOAD_REQUESTS
    assert stats["streams_started"] == expected, f"ext_proc streams started {stats['streams_started']} != {expected}: {stats}"
    stack.assert_streams_ended_cleanly(graceful_close, streams=expected)
    downstream = stack.envoy.stats(r"^http\.ingress\.downstream_rq_[1-5]xx$")
    assert downstream.get("http.ingress.downstream_rq_2xx") == expected, downstream
    assert sum(v for k, v in downstream.items() if not k.endswith("2xx")) == 0, downstream

    metrics = stack.probe.metrics()
    assert total(metrics, "tollgate_errors_total") == 0, {k: v for k, v in metrics.items() if k[0] == "tollgate_errors_total"}
    assert total(metrics, "tollgate_grpc_streams_total") >= expected

    growth = rss_after - rss_before
    assert growth < RSS_GROWTH_LIMIT_KIB, (
        f"probe RSS grew {growth / 1024:.1f} MiB over {LOAD_REQUESTS} requests "
        f"({rss_before} KiB -> {rss_after} KiB; limit {RSS_GROWTH_LIMIT_KIB // 1024} MiB)"
    )
    assert stack.probe.process.alive()

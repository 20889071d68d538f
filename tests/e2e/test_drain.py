"""SIGTERM drains: a request already in flight completes through the response phase, then the probe exits 0."""

from __future__ import annotations

import signal
import threading
import time
import uuid

import pytest

from harness import http_request

UPSTREAM_DELAY_MS = 1500
DRAIN_SECONDS = 8


@pytest.mark.parametrize("graceful_close", [False, True], ids=["reset-close", "graceful-close"])
@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_sigterm_lets_in_flight_request_finish(make_stack, transport, graceful_close):
    stack = make_stack(transport, graceful_close=graceful_close, probe_options={"drain_seconds": DRAIN_SECONDS})
    # Warm the ext_proc connection so the in-flight request rides an established HTTP/2 connection.
    _, status, _, _ = stack.request("GET", "/warm")
    assert status == 200

    test_id = uuid.uuid4().hex
    outcome: dict = {}

    def slow_request() -> None:
        try:
            outcome["response"] = http_request(
                "127.0.0.1", stack.port, "GET", "/slow",
                headers={"x-test-id": test_id, "x-upstream-delay-ms": str(UPSTREAM_DELAY_MS)}, timeout=30,
            )  # fmt: skip
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            outcome["error"] = error

    client = threading.Thread(target=slow_request, daemon=True)
    client.start()
    # The request has passed the request-headers phase once the upstream has it; its ext_proc stream
    # now waits for the response-headers phase, which comes after the upstream's delay.
    seen = stack.upstream.wait_for(test_id, timeout=10)
    assert seen.header("x-tollgate-probe") == "request-headers"
    sigterm_at = time.monotonic()
    stack.probe.process.signal(signal.SIGTERM)

    client.join(timeout=30)
    assert not client.is_alive(), "the in-flight request did not finish in 30 s"
    assert "error" not in outcome, f"the in-flight request failed: {outcome.get('error')!r}"
    status, headers, body = outcome["response"]
    assert status == 200, f"in-flight request: status {status}, body {body[:300]!r}"
    assert headers.get("x-tollgate-probe-response") == "response-headers", (
        f"the response phase of the in-flight request was not processed during the drain: {headers}"
    )

    try:
        code = stack.probe.process.wait(timeout=DRAIN_SECONDS + 5)
    except Exception:
        pytest.fail(f"the probe did not exit within drain_seconds ({DRAIN_SECONDS}) + 5 s after SIGTERM")
    took = time.monotonic() - sigterm_at
    assert code == 0, f"the probe exited with {code} after SIGTERM"
    stack.assert_streams_ended_cleanly(graceful_close, streams=2)
    print(f"probe exited 0 {took:.2f}s after SIGTERM (drain_seconds={DRAIN_SECONDS}, upstream delay {UPSTREAM_DELAY_MS} ms)")
    stack.assert_no_ext_proc_failures()


def test_sigterm_when_idle_exits_promptly(make_stack):
    stack = make_stack("tcp", probe_options={"drain_seconds": 20})
    _, status, _, _ = stack.request("GET", "/warm")
    assert status == 200
    started = time.monotonic()
    stack.probe.process.signal(signal.SIGTERM)
    code = stack.probe.process.wait(timeout=25)
    assert code == 0
    # Nothing in flight: the probe need not wait out the drain period (Envoy's idle connection is no stream).
    took = time.monotonic() - started
    assert took < 5, f"an idle probe took {took:.1f}s to exit (drain_seconds=20): it should not wait for idle connections"

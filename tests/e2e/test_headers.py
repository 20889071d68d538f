"""Header mutations from the probe reach the upstream and the client, over TCP and the Unix socket."""

from __future__ import annotations

import json

import pytest

from harness import GRACEFUL_CLOSE_FLAG


@pytest.mark.parametrize("graceful_close", [False, True], ids=["reset-close", "graceful-close"])
@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_header_mutations_reach_upstream_and_client(make_stack, transport, graceful_close):
    stack = make_stack(transport, graceful_close=graceful_close)
    assert stack.envoy.runtime()["entries"][GRACEFUL_CLOSE_FLAG]["final_value"] == str(graceful_close).lower()

    for attempt in range(3):  # several requests: each is its own ext_proc stream on one connection
        test_id, status, headers, body = stack.request("GET", f"/hello/{attempt}")
        assert status == 200, f"status {status}, body {body[:300]!r}"
        seen = stack.upstream.wait_for(test_id)
        assert seen.header("x-tollgate-probe") == "request-headers", f"upstream got headers {seen.headers}"
        assert headers.get("x-tollgate-probe-response") == "response-headers", f"client got headers {headers}"
        assert headers.get("x-upstream") == "echo"
        assert json.loads(body)["path"] == f"/hello/{attempt}"

    # A POST with a small body takes the buffered request-body phase too.
    test_id, status, headers, _ = stack.request("POST", "/post", body=b"hello tollgate")
    assert status == 200
    seen = stack.upstream.wait_for(test_id)
    assert seen.header("x-tollgate-probe") == "request-headers"
    assert seen.body_length == len(b"hello tollgate")
    assert headers.get("x-tollgate-probe-response") == "response-headers"

    stats = stack.assert_no_ext_proc_failures()
    assert stats["streams_started"] == 4, stats
    stack.assert_streams_ended_cleanly(graceful_close, streams=4)
    assert stack.probe.process.alive()

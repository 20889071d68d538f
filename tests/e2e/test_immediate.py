"""An immediate response from the probe reaches the client; the upstream never sees the request."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_immediate_response(make_stack, transport):
    stack = make_stack(transport)
    test_id, status, headers, body = stack.request("GET", "/teapot", headers={"x-probe-immediate": "418"})
    assert status == 418, f"status {status} headers {headers} body {body[:200]!r}"
    assert headers.get("x-probe-immediate") == "yes", headers
    assert body == b"probe immediate response"
    assert stack.upstream.received(test_id) == [], "the upstream saw a request that got an immediate response"

    # The same for a request with a body (the immediate response comes at request headers).
    test_id, status, _, body = stack.request("POST", "/teapot", body=b"x" * 4096, headers={"x-probe-immediate": "429"})
    assert status == 429 and body == b"probe immediate response"
    assert stack.upstream.received(test_id) == []

    # And the next normal request still goes through.
    test_id, status, headers, _ = stack.request("GET", "/after")
    assert status == 200 and headers.get("x-tollgate-probe-response") == "response-headers"
    stats = stack.assert_no_ext_proc_failures()
    assert stats["immediate_responses_sent"] == 2, stats

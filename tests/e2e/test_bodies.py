"""Request and response bodies up to 8 MB pass through the probe's body mutations intact.

With `x-probe-body: echo` the probe answers every body message (the whole body when BUFFERED, each
chunk when STREAMED) with a mutation that replaces it with the same bytes, so any loss, reordering
or truncation inside the server shows up as a different sha256 at the upstream.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import time
import uuid

import pytest

from harness import MiB
from upstream import pattern_bytes

SIZES = [1, 64 * 1024 + 3, 1 * MiB, 8 * MiB]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def body_phase_messages(stack, phase: str) -> float:
    return stack.probe.metric("tollgate_extproc_messages_total", phase=phase)


@pytest.mark.parametrize("transport", ["tcp", "unix"])
@pytest.mark.parametrize("mode", ["BUFFERED", "STREAMED"])
def test_request_bodies_pass_intact(make_stack, mode, transport):
    stack = make_stack(transport, request_body_mode=mode)
    for size in SIZES:
        body = os.urandom(size)
        before = body_phase_messages(stack, "request_body")
        test_id, status, _, response = stack.request(
            "POST", f"/upload/{size}", body=body, headers={"x-probe-body": "echo"}, timeout=60
        )
        assert status == 200, f"{mode} {size} bytes: status {status}, body {response[:300]!r}"
        seen = stack.upstream.wait_for(test_id)
        assert seen.body_length == size, f"{mode}: sent {size} bytes, the upstream got {seen.body_length}"
        assert seen.body_sha256 == sha256(body), f"{mode} {size} bytes: the body changed on the way"
        assert seen.header("x-tollgate-probe") == "request-headers"
        if mode == "BUFFERED":
            assert seen.header("x-probe-body-bytes") == str(size), f"upstream headers: {seen.headers}"
        handled = body_phase_messages(stack, "request_body") - before
        assert handled >= 1, f"{mode} {size} bytes: the probe counted no request_body message"
    stack.assert_no_ext_proc_failures()


def test_streamed_chunked_upload_passes_intact(make_stack):
    """A chunked upload of 3 MB in 100 KB pieces, paced: many STREAMED body messages, each echoed.

    Without the pause Envoy would hold the whole body while the request-headers reply is pending
    and send it as one chunk.
    """
    stack = make_stack("tcp", request_body_mode="STREAMED")
    pieces = [os.urandom(100 * 1024) for _ in range(30)]
    test_id = uuid.uuid4().hex
    conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=60)
    try:
        def paced():
            for piece in pieces:
                yield piece
                time.sleep(0.02)

        # An iterator body with no length: http.client sends it chunked, one chunk per piece.
        conn.request("POST", "/chunked", body=paced(), headers={"x-test-id": test_id, "x-probe-body": "echo"})
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    assert response.status == 200
    seen = stack.upstream.wait_for(test_id)
    whole = b"".join(pieces)
    assert seen.body_length == len(whole) and seen.body_sha256 == sha256(whole)
    assert stack.probe.metric("tollgate_extproc_messages_total", phase="request_body") >= 2
    stack.assert_no_ext_proc_failures()


@pytest.mark.parametrize("mode", ["BUFFERED", "STREAMED"])
def test_response_bodies_pass_intact(make_stack, mode):
    stack = make_stack("tcp", response_body_mode=mode)
    for size in SIZES:
        before = body_phase_messages(stack, "response_body")
        _, status, headers, body = stack.request(
            "GET", f"/download/{size}",
            headers={"x-probe-response-body": "echo", "x-upstream-response": f"bytes:{size}"}, timeout=60,
        )  # fmt: skip
        assert status == 200, f"{mode} {size} bytes: status {status}"
        assert len(body) == size, f"{mode}: the upstream sent {size} bytes, the client got {len(body)}"
        assert sha256(body) == sha256(pattern_bytes(size)), f"{mode} {size} bytes: the body changed on the way"
        assert headers.get("x-tollgate-probe-response") == "response-headers"
        assert body_phase_messages(stack, "response_body") - before >= 1
    stack.assert_no_ext_proc_failures()


@pytest.mark.parametrize("mode", ["BUFFERED", "STREAMED"])
def test_round_trip_8mb_both_directions(make_stack, mode):
    """8 MB up and the same 8 MB back down, echoed by the probe in both directions, over the Unix socket."""
    stack = make_stack("unix", request_body_mode=mode, response_body_mode=mode)
    body = os.urandom(8 * MiB)
    test_id, status, headers, response = stack.request(
        "PUT", "/roundtrip", body=body, timeout=60,
        headers={"x-probe-body": "echo", "x-probe-response-body": "echo", "x-upstream-response": "echo"},
    )  # fmt: skip
    assert status == 200
    assert stack.upstream.wait_for(test_id).body_sha256 == sha256(body)
    assert len(response) == len(body) and sha256(response) == sha256(body)
    assert headers.get("x-tollgate-probe-response") == "response-headers"
    stack.assert_no_ext_proc_failures()

"""Bad input on the server's own ports: each failure stays on its connection or stream.

After every case the server must still serve: a gRPC health check on a new connection answers
SERVING, and (where Envoy is involved) a real request through Envoy gets the probe's mutations.
"""

from __future__ import annotations

import os
import socket
import time

import pytest

from grpc_h2 import (
    HEALTH_CHECK_METHOD,
    INTERNAL,
    INVALID_ARGUMENT,
    OK,
    PROCESS_METHOD,
    RESOURCE_EXHAUSTED,
    SERVING,
    GrpcH2Connection,
    grpc_frame,
    health_check,
    parse_health_status,
)
from harness import MiB, wait_until

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def assert_still_serving(probe) -> None:
    assert probe.process.alive(), f"the probe died:\n{probe.process.tail()}"
    result = health_check("127.0.0.1", probe.port)
    assert result.grpc_status == OK, result.describe()
    assert parse_health_status(result.messages()[0]) == SERVING


def read_until_closed(sock: socket.socket, timeout: float) -> bytes:
    """Reads until EOF or reset; raises TimeoutError if the server keeps the connection open."""
    deadline = time.monotonic() + timeout
    received = b""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    raise TimeoutError(f"the server kept the connection open for {timeout}s (received {received[:80]!r})")


@pytest.mark.parametrize(
    "garbage",
    [
        b"GET / HTTP/1.1\r\nHost: tollgate\r\n\r\n",
        bytes(range(256)) * 4,
        PREFACE[:10] + b"XXXXXXXXXXXXXXXX",
    ],
    ids=["http1-request", "binary-noise", "broken-preface"],
)
def test_garbage_instead_of_preface_closes_connection(make_stack, garbage):
    stack = make_stack("tcp")
    with socket.create_connection(("127.0.0.1", stack.probe.port), timeout=5) as sock:
        sock.sendall(garbage)
        read_until_closed(sock, timeout=5)
    assert_still_serving(stack.probe)
    _, status, headers, _ = stack.request("GET", "/after-garbage")
    assert status == 200 and headers.get("x-tollgate-probe-response") == "response-headers"
    assert stack.probe.metric("tollgate_errors_total", kind="h2_protocol") >= 1
    stack.assert_no_ext_proc_failures()


def test_peer_that_stops_mid_preface_is_dropped_or_kept_harmlessly(probe):
    """Half a preface, then silence: the server keeps serving others meanwhile."""
    with socket.create_connection(("127.0.0.1", probe.port), timeout=5) as sock:
        sock.sendall(PREFACE[:12])
        assert_still_serving(probe)


@pytest.mark.parametrize(
    "payload",
    [
        b"\x0a\x64" + b"\x01\x02\x03",  # field 1 (request_headers) claims 100 bytes, 3 follow
        b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",  # a tag varint longer than 64 bits
        b"\x0f\x00",  # field 1 with wire type 7 (invalid)
    ],
    ids=["truncated-field", "overlong-varint", "bad-wire-type"],
)
def test_malformed_protobuf_fails_only_its_stream(probe, payload):
    with GrpcH2Connection("127.0.0.1", probe.port) as conn:
        result = conn.unary(PROCESS_METHOD, payload)
        assert result.grpc_status in (INTERNAL, INVALID_ARGUMENT), (
            f"malformed ProcessingRequest: expected grpc-status 13 or 3, got {result.grpc_status}: {result.describe()}"
        )
        # Same connection, next stream: still served.
        health = conn.unary(HEALTH_CHECK_METHOD, b"")
        assert health.grpc_status == OK, health.describe()
    assert_still_serving(probe)
    assert probe.metric("tollgate_errors_total", kind="protobuf_decode") >= 1


def test_oversized_message_is_resource_exhausted(probe):
    """The probe caps messages at 1 MiB (see the fixture); a 1 MiB + 1 KiB message must fail with 8."""
    message = b"\x0a" + b"\x00" * (1 * MiB + 1024)  # content does not matter: the size check comes first
    with GrpcH2Connection("127.0.0.1", probe.port, timeout=15) as conn:
        stream_id = conn.open_stream(PROCESS_METHOD)
        conn.send(stream_id, grpc_frame(message), end_stream=True)  # may stop early if the server answers first
        result = conn.wait(stream_id, timeout=15)
        assert result.grpc_status == RESOURCE_EXHAUSTED, f"expected grpc-status 8: {result.describe()}"
        if not conn.closed and not conn.goaway:
            assert conn.unary(HEALTH_CHECK_METHOD, b"").grpc_status == OK
    assert_still_serving(probe)
    assert probe.metric("tollgate_errors_total", kind="message_too_large") >= 1


def test_oversized_length_prefix_alone_is_resource_exhausted(probe):
    """A prefix announcing 1 GiB with only a few bytes behind it: refused without waiting for the rest."""
    with GrpcH2Connection("127.0.0.1", probe.port, timeout=10) as conn:
        stream_id = conn.open_stream(PROCESS_METHOD)
        conn.send(stream_id, b"\x00" + (1 << 30).to_bytes(4, "big") + b"\x0a\x00")
        result = conn.wait(stream_id, timeout=10)
        assert result.grpc_status == RESOURCE_EXHAUSTED, f"expected grpc-status 8: {result.describe()}"
    assert_still_serving(probe)


@pytest.mark.parametrize("how", ["after-headers", "mid-message", "unix-socket"])
def test_peer_that_opens_a_stream_and_vanishes(probe, how):
    if how == "unix-socket":
        conn = GrpcH2Connection(unix_path=probe.socket_path)
    else:
        conn = GrpcH2Connection("127.0.0.1", probe.port)
    stream_id = conn.open_stream(PROCESS_METHOD)
    if how != "after-headers":
        conn.send(stream_id, b"\x00\x00\x00\x01\x00" + b"\x0a\x10partial")  # 256 bytes announced, 9 sent
    conn.ping()  # make sure the server has read everything before the peer disappears
    conn.vanish()
    assert_still_serving(probe)
    wait_until(
        lambda: probe.metric("tollgate_grpc_streams_active") == 0,
        5,
        "the vanished peer's stream to be cleaned up (tollgate_grpc_streams_active back to 0)",
    )


def test_many_vanishing_peers_then_envoy_traffic(make_stack):
    stack = make_stack("tcp")
    for index in range(50):
        conn = GrpcH2Connection("127.0.0.1", stack.probe.port)
        stream_id = conn.open_stream(PROCESS_METHOD)
        if index % 2:
            conn.send(stream_id, b"\x00\x00\x00\x00\x10" + b"\x0a")
        conn.vanish()
    assert_still_serving(stack.probe)
    for attempt in range(5):
        _, status, headers, _ = stack.request("GET", f"/after-vanish/{attempt}")
        assert status == 200 and headers.get("x-tollgate-probe-response") == "response-headers"
    wait_until(lambda: stack.probe.metric("tollgate_grpc_streams_active") == 0, 5, "streams_active back to 0")
    stack.assert_no_ext_proc_failures()


def test_body_over_the_message_cap_fails_only_that_request(make_stack):
    """Through Envoy: a buffered body larger than --max-message-bytes makes the server end that
    ext_proc stream with RESOURCE_EXHAUSTED; Envoy (failure_mode_allow: false) answers 500, and the
    next request is served normally."""
    stack = make_stack("tcp", probe_options={"max_message_bytes": 1 * MiB})
    test_id, status, _, _ = stack.request("POST", "/too-big", body=os.urandom(2 * MiB))
    assert status == 500, f"expected Envoy's 500 for a failed ext_proc stream, got {status}"
    assert stack.upstream.received(test_id) == [], "the oversized request reached the upstream"
    stats = stack.envoy.ext_proc_stats()
    assert stats["streams_failed"] == 1, stats
    assert stack.probe.metric("tollgate_errors_total", kind="message_too_large") == 1
    test_id, status, headers, _ = stack.request("POST", "/small", body=b"x" * 1000)
    assert status == 200 and headers.get("x-tollgate-probe-response") == "response-headers"
    assert_still_serving(stack.probe)

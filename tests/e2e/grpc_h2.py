"""A small gRPC-over-h2c client for talking to the server directly, without Envoy.

Built on the `h2` package (HTTP/2 framing, HPACK, flow control); the gRPC part is the 5-byte
length prefix and reading `grpc-status` from trailers (or from a trailers-only response).
It can also misbehave on purpose: send arbitrary bytes as a message, stop mid-message, vanish.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.events
import h2.exceptions

# grpc.health.v1.HealthCheckResponse.ServingStatus
SERVING = 1

# gRPC status codes used by the tests.
OK, INVALID_ARGUMENT, RESOURCE_EXHAUSTED, UNIMPLEMENTED, INTERNAL = 0, 3, 8, 12, 13

PROCESS_METHOD = "/envoy.service.ext_proc.v3.ExternalProcessor/Process"
HEALTH_CHECK_METHOD = "/grpc.health.v1.Health/Check"


def grpc_frame(message: bytes, compressed: bool = False) -> bytes:
    return struct.pack(">BI", 1 if compressed else 0, len(message)) + message


def grpc_messages(data: bytes) -> list[bytes]:
    """Splits a DATA payload into gRPC messages (raises if a message is cut short)."""
    messages, offset = [], 0
    while offset < len(data):
        if len(data) - offset < 5:
            raise ValueError(f"{len(data) - offset} stray bytes after the last gRPC message")
        _flag, length = struct.unpack_from(">BI", data, offset)
        offset += 5
        if len(data) - offset < length:
            raise ValueError(f"gRPC message of {length} bytes cut short at {len(data) - offset}")
        messages.append(data[offset : offset + length])
        offset += length
    return messages


@dataclass
class CallResult:
    headers: dict[str, str] = field(default_factory=dict)
    trailers: dict[str, str] = field(default_factory=dict)
    data: bytes = b""
    ended: bool = False  # END_STREAM seen from the server
    reset_code: int | None = None  # RST_STREAM from the server
    goaway: bool = False
    connection_closed: bool = False

    @property
    def grpc_status(self) -> int | None:
        value = self.trailers.get("grpc-status", self.headers.get("grpc-status"))
        return int(value) if value is not None else None

    @property
    def grpc_message(self) -> str | None:
        return self.trailers.get("grpc-message", self.headers.get("grpc-message"))

    def messages(self) -> list[bytes]:
        return grpc_messages(self.data)

    def describe(self) -> str:
        return (
            f"headers={self.headers} trailers={self.trailers} data={self.data[:64]!r}... ended={self.ended} "
            f"reset={self.reset_code} goaway={self.goaway} closed={self.connection_closed}"
        )


class GrpcH2Connection:
    """One HTTP/2 connection (prior knowledge, no TLS) to a gRPC server."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, unix_path: str | None = None, timeout: float = 10.0):
        if unix_path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(unix_path)
        else:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        self.timeout = timeout
        self.conn = h2.connection.H2Connection(
            config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
        )
        self.conn.initiate_connection()
        self.conn.increment_flow_control_window(16 * 1024 * 1024)
        self.closed = False
        self.goaway = False
        self._results: dict[int, CallResult] = {}
        self._flush()

    # -- plumbing

    def _flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def _pump(self, deadline: float) -> None:
        """Reads once from the socket (until `deadline`) and dispatches the events."""
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return
        except (ConnectionResetError, BrokenPipeError):
            data = b""
        if not data:
            self.closed = True
            for result in self._results.values():
                result.connection_closed = True
            return
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError:
            self.closed = True
            return
        for event in events:
            self._dispatch(event)
        self._flush()

    def _dispatch(self, event: h2.events.Event) -> None:
        stream_id = getattr(event, "stream_id", None)
        result = self._results.get(stream_id) if stream_id else None
        if isinstance(event, h2.events.ResponseReceived) and result:
            result.headers = dict(event.headers)
        elif isinstance(event, h2.events.TrailersReceived) and result:
            result.trailers = dict(event.headers)
        elif isinstance(event, h2.events.DataReceived):
            if result:
                result.data += event.data
            self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded) and result:
            result.ended = True
        elif isinstance(event, h2.events.StreamReset) and result:
            result.reset_code = int(event.error_code)
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.goaway = True
            for pending in self._results.values():
                pending.goaway = True

    # -- calls

    def open_stream(self, method: str, extra_headers: list[tuple[str, str]] | None = None) -> int:
        stream_id = self.conn.get_next_available_stream_id()
        headers = [
            (":method", "POST"),
            (":scheme", "http"),
            (":path", method),
            (":authority", "tollgate"),
            ("content-type", "application/grpc"),
            ("te", "trailers"),
            *(extra_headers or []),
        ]
        self._results[stream_id] = CallResult()
        self.conn.send_headers(stream_id, headers)
        self._flush()
        return stream_id

    def send(self, stream_id: int, data: bytes, end_stream: bool = False, deadline: float | None = None) -> bool:
        """Sends `data` on the stream honouring flow control; False if the stream or connection ended first."""
        deadline = deadline or time.monotonic() + self.timeout
        result = self._results[stream_id]
        view = memoryview(data)
        while view:
            if result.ended or result.reset_code is not None or self.closed or self.goaway:
                return False
            try:
                window = self.conn.local_flow_control_window(stream_id)
            except h2.exceptions.StreamClosedError:
                return False
            if window <= 0:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"flow-control window closed for {self.timeout}s on stream {stream_id}")
                self._pump(deadline)
                continue
            chunk = min(window, self.conn.max_outbound_frame_size, len(view))
            try:
                self.conn.send_data(stream_id, view[:chunk].tobytes())
            except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                return False
            view = view[chunk:]
            self._flush()
        if end_stream:
            try:
                self.conn.end_stream(stream_id)
            except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                return False
            self._flush()
        return True

    def wait(self, stream_id: int, timeout: float | None = None) -> CallResult:
        """Reads until the stream ends (END_STREAM or RST_STREAM) or the connection closes."""
        deadline = time.monotonic() + (timeout or self.timeout)
        result = self._results[stream_id]
        while not (result.ended or result.reset_code is not None or self.closed):
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no end of stream {stream_id} in {timeout or self.timeout}s: {result.describe()}")
            self._pump(deadline)
        return result

    def unary(self, method: str, message: bytes = b"", *, raw: bytes | None = None, timeout: float | None = None) -> CallResult:
        """Opens a stream, sends one framed message (or `raw` bytes as they are), half-closes, waits."""
        stream_id = self.open_stream(method)
        payload = raw if raw is not None else grpc_frame(message)
        self.send(stream_id, payload, end_stream=True)
        return self.wait(stream_id, timeout)

    def ping(self, timeout: float = 5.0) -> bool:
        """True if the server answers a PING (the connection is alive and served)."""
        self.conn.ping(b"tollgate")
        self._flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.closed:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                break
            if not data:
                self.closed = True
                break
            for event in self.conn.receive_data(data):
                if isinstance(event, h2.events.PingAckReceived):
                    return True
                self._dispatch(event)
            self._flush()
        return False

    def vanish(self) -> None:
        """Closes the TCP connection abruptly (RST, no GOAWAY)."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()
        self.closed = True

    def close(self) -> None:
        if not self.closed:
            try:
                self.conn.close_connection()
                self._flush()
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass
            self.sock.close()
            self.closed = True

    def __enter__(self) -> "GrpcH2Connection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def health_check(host: str, port: int, service: str = "", timeout: float = 5.0) -> CallResult:
    request = b"" if not service else b"\x0a" + bytes([len(service)]) + service.encode()
    with GrpcH2Connection(host, port, timeout=timeout) as conn:
        return conn.unary(HEALTH_CHECK_METHOD, request)


def parse_health_status(message: bytes) -> int:
    """HealthCheckResponse { ServingStatus status = 1; } -> the status (0 when absent)."""
    if not message:
        return 0
    if message[0] != 0x08:
        raise ValueError(f"unexpected HealthCheckResponse bytes {message!r}")
    value, shift = 0, 0
    for byte in message[1:]:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return value

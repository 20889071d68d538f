"""A small threaded HTTP/1.1 upstream for the end-to-end tests and the quick start.

It records what reached it (headers, body length and sha256) per `x-test-id`, and answers
according to request headers:

- `x-upstream-delay-ms: N`   sleep N ms after reading the request, before answering;
- `x-upstream-response: echo`     answer with the request body, byte for byte;
- `x-upstream-response: bytes:N`  answer with N deterministic bytes (see `pattern_bytes`);
- otherwise a JSON echo: method, path, headers, body length and sha256.

Run standalone (the quick start does): `python3 tests/e2e/upstream.py --port 18080`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def pattern_bytes(n: int) -> bytes:
    """N bytes that are not all alike (a repeating 251-byte ramp), cheap to make and to check."""
    block = bytes(range(251))
    reps, rest = divmod(n, len(block))
    return block * reps + block[:rest]


@dataclass
class Received:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body_length: int
    body_sha256: str
    chunked: bool
    at: float = field(default_factory=time.monotonic)

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "UpstreamServer"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        if self.server.verbose:
            super().log_message(format, *args)

    def _read_body(self) -> tuple[bytes, bool]:
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            parts = []
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionError("EOF inside a chunked body")
                size = int(line.split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts), True
                parts.append(self.rfile.read(size))
                self.rfile.readline(3)
        length = int(self.headers.get("content-length") or 0)
        return (self.rfile.read(length) if length else b""), False

    def _handle(self) -> None:
        body, chunked = self._read_body()
        headers = [(key.lower(), value) for key, value in self.headers.items()]
        received = Received(
            method=self.command,
            path=self.path,
            headers=headers,
            body_length=len(body),
            body_sha256=hashlib.sha256(body).hexdigest(),
            chunked=chunked,
        )
        self.server.record(self.headers.get("x-test-id"), received)

        delay_ms = int(self.headers.get("x-upstream-delay-ms") or 0)
        if delay_ms:
            time.sleep(delay_ms / 1000)

        mode = self.headers.get("x-upstream-response") or "json"
        if mode == "echo":
            payload, content_type = body, "application/octet-stream"
        elif mode.startswith("bytes:"):
            payload, content_type = pattern_bytes(int(mode[6:])), "application/octet-stream"
        else:
            payload = json.dumps(
                {
                    "method": received.method,
                    "path": received.path,
                    "headers": headers,
                    "body_length": received.body_length,
                    "body_sha256": received.body_sha256,
                }
            ).encode()
            content_type = "application/json"
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self.send_header("x-upstream", "echo")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class UpstreamServer(ThreadingHTTPServer):
    # The tests pick a free port and must own it: no SO_REUSEADDR, so a clash fails loudly.
    allow_reuse_address = False
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, host: str, port: int, verbose: bool = False):
        self.verbose = verbose
        self._cond = threading.Condition()
        self._by_id: dict[str, list[Received]] = {}
        self.count = 0
        super().__init__((host, port), _Handler)

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
        super().server_bind()

    def record(self, test_id: str | None, received: Received) -> None:
        with self._cond:
            self.count += 1
            if test_id:
                self._by_id.setdefault(test_id, []).append(received)
            self._cond.notify_all()

    def received(self, test_id: str) -> list[Received]:
        with self._cond:
            return list(self._by_id.get(test_id, []))

    def wait_for(self, test_id: str, timeout: float = 10.0) -> Received:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._by_id.get(test_id):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"the upstream received no request with x-test-id {test_id} in {timeout}s")
                self._cond.wait(left)
            return self._by_id[test_id][0]


class Upstream:
    """An UpstreamServer on a background thread."""

    def __init__(self, host: str, port: int, verbose: bool = False):
        self.host, self.port = host, port
        self.server = UpstreamServer(host, port, verbose)
        self._thread = threading.Thread(target=self.server.serve_forever, name=f"upstream:{port}", daemon=True)
        self._thread.start()

    def received(self, test_id: str) -> list[Received]:
        return self.server.received(test_id)

    def wait_for(self, test_id: str, timeout: float = 10.0) -> Received:
        return self.server.wait_for(test_id, timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    server = UpstreamServer(args.host, args.port, verbose=not args.quiet)
    print(f"upstream: listening on http://{args.host}:{args.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

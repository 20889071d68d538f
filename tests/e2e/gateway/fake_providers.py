"""Fake LLM providers for the gateway's end-to-end tests: OpenAI-compatible and Azure OpenAI.

Each is a threaded http.server on 127.0.0.1 (SO_REUSEADDR off, so a port clash fails loudly) that
records every request it receives (method, path, query, headers, raw body, parsed JSON) and answers
in OpenAI's shape, naming itself in the `x-fake-provider` response header and echoing the model it
was sent. A client header `x-fake-fail: <provider name>` makes that provider answer 503, so a test can
drive Envoy's retry onto the next backend.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Received:
    method: str
    path: str  # without the query
    query: dict[str, list[str]]
    raw_query: str
    headers: list[tuple[str, str]]  # names lower-cased, in order
    body: bytes
    chunked: bool
    at: float = field(default_factory=time.monotonic)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key == name), None)

    def header_values(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key == name]

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    def _read_body(self) -> tuple[bytes, bool]:
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline(65537).split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts), True
                parts.append(self.rfile.read(size))
                self.rfile.readline(3)
        length = int(self.headers.get("content-length") or 0)
        return (self.rfile.read(length) if length else b""), False

    def _handle(self) -> None:
        body, chunked = self._read_body()
        path, _, raw_query = self.path.partition("?")
        received = Received(
            method=self.command,
            path=path,
            query=parse_qs(raw_query, keep_blank_values=True),
            raw_query=raw_query,
            headers=[(key.lower(), value) for key, value in self.headers.items()],
            body=body,
            chunked=chunked,
        )
        provider = self.server.provider
        provider._record(received)
        if (self.headers.get("x-fake-fail") or "") == provider.name:
            self._send(503, {"error": {"message": f"{provider.name} is overloaded", "type": "server_error", "param": None, "code": None}})
            return
        try:
            request = json.loads(body) if body else {}
        except ValueError:
            self._send(400, {"error": {"message": "bad json", "type": "invalid_request_error", "param": None, "code": None}})
            return
        model = request.get("model") or provider.deployment_of(path) or "unknown"
        if request.get("stream"):
            self._send_stream(model)
        elif path.endswith("/embeddings"):
            self._send(200, {
                "object": "list",
                "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2, 0.3]}],
                "model": model,
                "usage": {"prompt_tokens": 3, "total_tokens": 3},
            })  # fmt: skip
        elif path.endswith("/completions") and not path.endswith("/chat/completions"):
            self._send(200, {
                "id": "cmpl-1", "object": "text_completion", "created": 1, "model": model,
                "choices": [{"text": f"from {provider.name}", "index": 0, "logprobs": None, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4},
            })  # fmt: skip
        else:
            self._send(200, {
                "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": f"hello from {provider.name}"},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9},
            })  # fmt: skip

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("x-fake-provider", self.server.provider.name)
        self.end_headers()
        self.wfile.write(data)

    def _send_stream(self, model: str) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.send_header("x-fake-provider", self.server.provider.name)
        self.end_headers()
        events = [
            {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": model,
             "choices": [{"index": 0, "delta": {"role": "assistant", "content": word}, "finish_reason": None}]}
            for word in ("hello ", "from ", self.server.provider.name)
        ]  # fmt: skip
        events.append({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": model,
                       "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})  # fmt: skip
        for event in [*(f"data: {json.dumps(e)}\n\n" for e in events), "data: [DONE]\n\n"]:
            data = event.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class _Server(ThreadingHTTPServer):
    allow_reuse_address = False
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, port: int, provider: "FakeProvider", tls: ssl.SSLContext | None = None):
        self.provider = provider
        self.tls = tls
        super().__init__(("127.0.0.1", port), _Handler)

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
        super().server_bind()

    def get_request(self):
        connection, address = super().get_request()
        if self.tls is None:
            return connection, address
        # The handshake runs on the handler's thread; a client that rejects the certificate fails
        # only its own connection.
        return self.tls.wrap_socket(connection, server_side=True, do_handshake_on_connect=False), address

    def finish_request(self, request, client_address) -> None:
        if self.tls is not None:
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError) as error:
                self.provider.handshake_failures.append(repr(error))
                return
        super().finish_request(request, client_address)


class RecordingServer:
    """What every fake provider shares: the requests it received, waited for by marker, and its
    server thread. A subclass sets `name`, `_server` and `_thread` and calls `_record` per request."""

    name: str

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._received: list[Received] = []

    def _record(self, received: Received) -> None:
        with self._cond:
            self._received.append(received)
            self._cond.notify_all()

    def received(self) -> list[Received]:
        with self._cond:
            return list(self._received)

    def clear(self) -> None:
        with self._cond:
            self._received.clear()

    def find(self, marker: str, timeout: float = 10.0) -> Received:
        """The request whose body contains `marker` (tests put a unique one in every request)."""
        deadline = time.monotonic() + timeout
        needle = marker.encode()
        with self._cond:
            while True:
                for item in self._received:
                    if needle in item.body:
                        return item
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.name} received no request containing {marker!r} in {timeout}s")
                self._cond.wait(left)

    def all_with(self, marker: str) -> list[Received]:
        needle = marker.encode()
        return [item for item in self.received() if needle in item.body]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class FakeProvider(RecordingServer):
    """One fake provider on a background thread. kind: 'openai' or 'azure' (only naming differs:
    both answer whatever path they get, so a test sees exactly where the gateway sent a request)."""

    def __init__(self, name: str, port: int, kind: str = "openai", *, cert: str | None = None, key: str | None = None):
        """With cert and key (PEM files), it speaks TLS and records the SNI of every handshake."""
        self.name = name
        self.kind = kind
        self.port = port
        super().__init__()
        self.server_names: list[str | None] = []
        self.handshake_failures: list[str] = []
        tls = None
        if cert:
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.load_cert_chain(cert, key)
            tls.sni_callback = lambda _socket, server_name, _context: self.server_names.append(server_name)
        self.scheme = "https" if tls else "http"
        self._server = _Server(port, self, tls)
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"fake:{name}", daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{'localhost' if self.scheme == 'https' else '127.0.0.1'}:{self.port}"

    @staticmethod
    def deployment_of(path: str) -> str | None:
        parts = path.strip("/").split("/")
        if len(parts) >= 3 and parts[0] == "openai" and parts[1] == "deployments":
            return parts[2]
        return None


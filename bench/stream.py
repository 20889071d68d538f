"""Time to first byte of a streamed (SSE) chat completion, on loopback, in one run.

    client (one keep-alive connection, one request at a time)
      --HTTP/1.1--> Envoy (front) --HTTP/1.1--> Envoy (upstream: direct_response, an SSE body)
                      |
                      +--ext_proc--> TollgateProbe or `tollgate serve` (release)

The upstream answers `/v1/messages` with an Anthropic Messages stream and every other path with an
OpenAI chat.completion.chunk stream (text/event-stream, ~1.5 KB, sent at once), so the first body
byte is the first event. The client is the same Python loop for every scenario; its own cost is in
every row and cancels out in the differences.

Scenarios (each with its own front Envoy and ext_proc server, all running at once):
  envoy-direct        the tests' bootstrap with no ext_proc filter: Envoy alone
  noop-streamed       the bootstrap `tollgate envoy-config` renders (router-level ext_proc: request
                      headers + FULL_DUPLEX_STREAMED body, response headers + STREAMED body sent
                      without waiting for the headers' reply; each model has one backend, so its
                      direct route, without the upstream ext_proc), served by TollgateProbe
                      answering in the gateway's processing modes without its work: every message
                      continued, the request body given back as it came; the request carries
                      `x-tollgate-model` and `x-tollgate-route: direct` itself so the model's direct
                      route matches
  gateway-passthrough `tollgate serve`, an OpenAI client on an OpenAI-compatible backend: key, routing,
                      the request prepared for the one backend (include_usage added), the stream
                      watched for usage and its usage chunk hidden
  gateway-translate   `tollgate serve`, an OpenAI client on an Anthropic backend: the request
                      translated to Messages, the Anthropic stream translated event by event
  gateway-messages    `tollgate serve`, an Anthropic Messages client (as Claude Code is) on the
                      OpenAI-compatible backend: the other direction of both translations
  gateway-messages-passthrough
                      `tollgate serve`, an Anthropic Messages client on the Anthropic backend: key,
                      routing, model name, the stream watched for usage

`--compare OTHER_TOLLGATE` adds every gateway row again, served by another build (`@compare`), in
the same rounds: an A/B of two builds that the machine's load cannot tilt.

All stacks run at once and requests go to them in turn (one per scenario, round after round), so
load from elsewhere on the machine falls on every scenario alike. For each: time to the first body
byte (TTFB) and to the last byte, p50/p90/p99 in microseconds over all measured requests, +p50 over the baseline (envoy-direct for noop, noop for the gateway rows), and
CPU microseconds per request of the front Envoy and of the ext_proc server. Nothing is written into
the repository; copy the output into bench/RESULTS.md by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

import harness  # noqa: E402
from harness import Envoy, Probe, Process, envoy_config, free_port, http_request, wait_until  # noqa: E402

KEY = "tg-bench-key-not-a-secret"


def openai_sse() -> bytes:
    base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": "gpt-bench"}
    chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}]
    for word in ["The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog."]:
        chunks.append({**base, "choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]})
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    chunks.append({**base, "choices": [], "usage": {"prompt_tokens": 20, "completion_tokens": 9, "total_tokens": 29}})
    return "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks).encode() + b"data: [DONE]\n\n"


def anthropic_sse() -> bytes:
    events = [
        ("message_start", {"type": "message_start", "message": {
            "id": "msg_bench", "type": "message", "role": "assistant", "model": "claude-bench", "content": [],
            "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": 20, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    ]  # fmt: skip
    for word in ["The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog."]:
        events.append(("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": word}}))
    events += [
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": 9}}),
        ("message_stop", {"type": "message_stop"}),
    ]  # fmt: skip
    return "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events).encode()


def upstream_config(port: int) -> dict:
    """An Envoy answering SSE bodies: Anthropic's on /v1/messages, OpenAI's elsewhere."""
    sse_header = [{"header": {"key": "content-type", "value": "text/event-stream"}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}]
    routes = [
        {"match": {"prefix": "/v1/messages"}, "direct_response": {"status": 200, "body": {"inline_bytes": _b64(anthropic_sse())}},
         "response_headers_to_add": sse_header},
        {"match": {"prefix": "/"}, "direct_response": {"status": 200, "body": {"inline_bytes": _b64(openai_sse())}},
         "response_headers_to_add": sse_header},
    ]  # fmt: skip
    return {
        "node": {"id": "tollgate-bench-sse-upstream", "cluster": "tollgate-bench"},
        "admin": {"address": harness._socket_address(0)},
        "static_resources": {"listeners": [{
            "name": "upstream", "address": harness._socket_address(port),
            "filter_chains": [{"filters": [harness._hcm("upstream", routes, [])]}]}]},
    }  # fmt: skip


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


def chat_body(model: str) -> bytes:
    return json.dumps({
        "model": model,
        "stream": True,
        "messages": [
            {"role": "system", "content": "You are a concise assistant."},
            {"role": "user", "content": "Write one sentence about a fox. " * 8},
        ],
        "max_tokens": 64,
    }).encode()  # fmt: skip


def messages_body(model: str) -> bytes:
    """The same question as `chat_body`, from an Anthropic Messages client."""
    return json.dumps({
        "model": model,
        "stream": True,
        "system": "You are a concise assistant.",
        "messages": [{"role": "user", "content": "Write one sentence about a fox. " * 8}],
        "max_tokens": 64,
    }).encode()  # fmt: skip


# -------------------------------------------------------------------------------------------------
# The client


class Client:
    """One keep-alive HTTP/1.1 connection; `request` returns (status, ttfb_ns, total_ns, body)."""

    def __init__(self, port: int):
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def _read(self) -> None:
        data = self.sock.recv(262144)
        if not data:
            raise ConnectionError("connection closed")
        self.buffer += data

    def request(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, int, int, bytes]:
        lines = [f"POST {path} HTTP/1.1", "host: bench", f"content-length: {len(body)}", "content-type: application/json"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        started = time.perf_counter_ns()
        self.sock.sendall(payload)
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        fields = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip()
        ttfb = None
        out = b""
        if b"content-length" in fields:
            length = int(fields[b"content-length"])
            while len(self.buffer) < 1 and length > 0:
                self._read()
            ttfb = time.perf_counter_ns() - started
            while len(self.buffer) < length:
                self._read()
            out, self.buffer = self.buffer[:length], self.buffer[length:]
        else:
            while True:
                while b"\r\n" not in self.buffer:
                    self._read()
                size_line, _, rest = self.buffer.partition(b"\r\n")
                size = int(size_line.split(b";")[0], 16)
                while len(rest) < size + 2:
                    self._read()
                    size_line, _, rest = self.buffer.partition(b"\r\n")
                if size and ttfb is None:
                    ttfb = time.perf_counter_ns() - started
                out += rest[:size]
                self.buffer = rest[size + 2 :]
                if size == 0:
                    break
        total = time.perf_counter_ns() - started
        return status, ttfb or total, total, out


# -------------------------------------------------------------------------------------------------
# Scenarios


@dataclass(frozen=True)
class Scenario:
    name: str
    baseline: str | None
    kind: str  # direct | noop | gateway
    model: str = "bench-gpt"
    client: str = "openai"  # openai: /v1/chat/completions | anthropic: /v1/messages
    compared: bool = False  # served by the --compare binary


SCENARIOS = [
    Scenario("envoy-direct", None, "direct"),
    Scenario("noop-streamed", "envoy-direct", "noop", model="bench-claude"),
    Scenario("gateway-passthrough", "noop-streamed", "gateway", model="bench-gpt"),
    Scenario("gateway-translate", "noop-streamed", "gateway", model="bench-claude"),
    Scenario("gateway-messages", "noop-streamed", "gateway", model="bench-gpt", client="anthropic"),
    Scenario("gateway-messages-passthrough", "noop-streamed", "gateway", model="bench-claude", client="anthropic"),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def write_gateway(workdir: Path, upstream_port: int, tollgate_bin: Path, transport: str) -> dict:
    socket_path = workdir / "tollgate.sock"
    tollgate_port = free_port() if transport == "tcp" else None
    endpoint = f'listen: "127.0.0.1:{tollgate_port}"' if tollgate_port else f'socket: "{socket_path}"'
    digest = hashlib.sha256(KEY.encode()).hexdigest()
    config = workdir / "tollgate-stream.yaml"
    config.write_text(f"""server:
  {endpoint}
  admin: "127.0.0.1:{free_port()}"
log:
  level: warning
providers:
  - name: oai
    schema: openai
    base_url: http://127.0.0.1:{upstream_port}/v1
  - name: anth
    schema: anthropic
    base_url: http://127.0.0.1:{upstream_port}
models:
  - name: bench-gpt
    backends: [{{provider: oai, model: gpt-bench}}]
  - name: bench-claude
    backends: [{{provider: anth, model: claude-bench}}]
keys:
  - name: bench
    tenant: bench
    sha256: {digest}
""")
    listener_port, admin_port = free_port(), free_port()
    rendered = workdir / "envoy-stream.yaml"
    render = subprocess.run(
        [str(tollgate_bin), "envoy-config", "--config", str(config), "--listen", f"127.0.0.1:{listener_port}",
         "--admin-port", str(admin_port), "--output", str(rendered)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if render.returncode != 0:
        raise RuntimeError(f"tollgate envoy-config failed:\n{render.stderr}")
    return dict(config=config, rendered=rendered, listener_port=listener_port, admin_port=admin_port,
                tollgate_port=tollgate_port, socket_path=socket_path)  # fmt: skip


class RenderedEnvoy:
    def __init__(self, workdir: Path, gateway: dict, name: str, concurrency: int):
        self.admin_port = gateway["admin_port"]
        argv = [harness.envoy_binary(), "-c", str(gateway["rendered"]), "--disable-hot-restart",
                "--concurrency", str(concurrency), "-l", "warning"]  # fmt: skip
        self.process = Process(name, argv, workdir)
        wait_until(lambda: self.process.check_alive() or http_request("127.0.0.1", self.admin_port, "GET", "/ready", timeout=1)[0] == 200,
                   30, f"{name} ready")  # fmt: skip

    def stop(self) -> None:
        self.process.stop()


def check_body(scenario: Scenario, body: bytes) -> None:
    text = body.decode()
    if scenario.client == "anthropic":
        assert "event: message_stop" in text and "quick" in text, text[-300:]
    elif scenario.kind == "gateway":
        assert text.endswith("data: [DONE]\n\n"), text[-200:]
        assert '"usage": {' not in text and '"usage":{' not in text, "the usage chunk must be hidden"
        assert "quick" in text, text[:300]
        assert "chat.completion.chunk" in text
    else:
        assert "quick" in text


class Stack:
    """One scenario's processes, started once: its front Envoy, its ext_proc server, its client."""

    def __init__(self, scenario: Scenario, args, workdir: Path, upstream_port: int, probe_bin: Path, tollgate_bin: Path):
        self.scenario = scenario
        self.server = None
        self.envoy = None
        self.headers = {"authorization": f"Bearer {KEY}"}
        self.path, self.body = (("/v1/messages", messages_body(scenario.model)) if scenario.client == "anthropic"
                                else ("/v1/chat/completions", chat_body(scenario.model)))  # fmt: skip
        self.ttfb: list[float] = []
        self.total: list[float] = []
        directory = workdir / scenario.name
        directory.mkdir()
        try:
            if scenario.kind == "direct":
                config = envoy_config(listener_port=free_port(), upstream_port=upstream_port, ext_proc=None)
                self.envoy = Envoy(directory, config, name=f"envoy-{scenario.name}", concurrency=args.envoy_concurrency,
                                   log_level="warning")  # fmt: skip
                port = config["static_resources"]["listeners"][0]["address"]["socket_address"]["port_value"]
            else:
                # Each server has its own rendered config (its own socket), so all stacks run at once.
                gateway = write_gateway(directory, upstream_port, tollgate_bin, args.transport)
                common = dict(tcp=gateway["tollgate_port"] is not None, unix=gateway["tollgate_port"] is None,
                              port=gateway["tollgate_port"], threads=args.server_threads, drain_seconds=1,
                              log_level="warning", name="tollgate")  # fmt: skip
                if scenario.kind == "gateway":
                    self.server = Probe(directory, binary=tollgate_bin, command=["serve"],
                                        extra_args=["--config", str(gateway["config"])], **common)  # fmt: skip
                else:
                    self.server = Probe(directory, binary=probe_bin, **common)
                    self.headers["x-tollgate-model"] = scenario.model
                    self.headers["x-tollgate-route"] = "direct"
                self.envoy = RenderedEnvoy(directory, gateway, f"envoy-{scenario.name}", args.envoy_concurrency)
                port = gateway["listener_port"]
            self.client = Client(port)
        except Exception:
            self.stop()
            raise

    def one(self, record: bool) -> None:
        status, ttfb, total, out = self.client.request(self.path, self.body, self.headers)
        if status != 200:
            raise RuntimeError(f"{self.scenario.name}: got {status}: {out[:300]!r}")
        if record:
            self.ttfb.append(ttfb / 1000)
            self.total.append(total / 1000)
        else:
            check_body(self.scenario, out)

    def cpu(self) -> tuple[float, float | None]:
        return self.envoy.process.cpu_seconds(), self.server.process.cpu_seconds() if self.server else None

    def stop(self) -> None:
        if getattr(self, "client", None):
            self.client.close()
        if self.envoy:
            self.envoy.stop()
        if self.server:
            self.server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--probe", type=Path, help="TollgateProbe binary (default: swift build -c release)")
    parser.add_argument("--tollgate", type=Path, help="tollgate binary (default: swift build -c release)")
    parser.add_argument("--requests", type=int, default=5000, help="measured requests per scenario")
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--envoy-concurrency", type=int, default=1)
    parser.add_argument("--server-threads", type=int, default=1, help="probe and tollgate event-loop threads")
    parser.add_argument("--transport", choices=["unix", "tcp"], default="unix")
    parser.add_argument("--only", nargs="*", help="scenario names to run")
    parser.add_argument("--compare", type=Path, help="a second tollgate binary (another build): its gateway rows "
                        "run in the same interleaved rounds, marked @compare")  # fmt: skip
    args = parser.parse_args()

    probe_bin = args.probe or harness.probe_binary("release")
    tollgate_bin = args.tollgate or harness.tollgate_binary("release")
    scenarios = SCENARIOS
    if args.compare:
        scenarios = scenarios + [Scenario(s.name + "@compare", s.baseline, s.kind, s.model, s.client, compared=True)
                                 for s in SCENARIOS if s.kind == "gateway"]  # fmt: skip
    selected = [s for s in scenarios if not args.only or s.name.split("@")[0] in args.only]
    workdir = harness.short_tempdir("tg-bench-stream-")
    upstream_port = free_port()
    upstream = Envoy(workdir, upstream_config(upstream_port), name="upstream-envoy", concurrency=1, log_level="warning")
    stacks: list[Stack] = []
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    try:
        for scenario in selected:
            binary = args.compare if scenario.compared else tollgate_bin
            stacks.append(Stack(scenario, args, workdir, upstream_port, probe_bin, binary))
        for _ in range(args.warmup):
            for stack in stacks:
                stack.one(record=False)
        # Interleaved, one request per scenario in turn: whatever else the machine does falls on
        # every scenario alike.
        before = {stack.scenario.name: stack.cpu() for stack in stacks}
        for _ in range(args.requests):
            for stack in stacks:
                stack.one(record=True)
        after = {stack.scenario.name: stack.cpu() for stack in stacks}
        rss = {stack.scenario.name: rss_kib(stack.server.pid) if stack.server else None for stack in stacks}
    finally:
        for stack in stacks:
            stack.stop()
        upstream.stop()
    load_after = Path("/proc/loadavg").read_text().split()[:3]

    print(f"# Tollgate streaming benchmark (time to first byte), {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"# host: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; {platform.platform()}")
    print(f"# envoy: {harness_version([harness.envoy_binary(), '--version']).split('version: ')[-1]}")
    git = shutil.which("git")
    if git:
        print(f"# commit: {harness_version([git, '-C', str(harness.REPO), 'rev-parse', '--short', 'HEAD'])}")
    print(f"# {args.requests} requests per scenario after {args.warmup} warm-up, interleaved across scenarios; "
          f"one connection each, one request at a time")  # fmt: skip
    print(f"# front envoy --concurrency {args.envoy_concurrency}; probe/tollgate --threads {args.server_threads}; "
          f"ext_proc over {args.transport}; upstream: an Envoy direct_response with the SSE body")  # fmt: skip
    print(f"# load average before/after: {' '.join(load_before)} / {' '.join(load_after)}")
    if args.compare:
        print(f"# tollgate: {tollgate_bin}; @compare: {args.compare}")
    print()
    width = max(len(stack.scenario.name) for stack in stacks)
    header = (f"{'scenario':<{width}} {'ttfb p50':>9} {'p90':>7} {'p99':>7} {'+p50':>6} {'total p50':>9} "
              f"{'envoy cpu/req':>13} {'server cpu/req':>14} {'rss KiB':>8}")  # fmt: skip
    print(header + "   (µs)")
    print("-" * len(header))
    by_name = {stack.scenario.name: stack for stack in stacks}
    for stack in stacks:
        name = stack.scenario.name
        p50 = percentile(stack.ttfb, 50)
        base = by_name.get(stack.scenario.baseline) if stack.scenario.baseline else None
        added = f"{p50 - percentile(base.ttfb, 50):6.0f}" if base else f"{'-':>6}"
        envoy_cpu = (after[name][0] - before[name][0]) * 1e6 / args.requests
        server_cpu = ((after[name][1] - before[name][1]) * 1e6 / args.requests) if stack.server else None
        server_text = f"{server_cpu:14.1f}" if server_cpu is not None else f"{'-':>14}"
        rss_text = f"{rss[name]:8d}" if rss[name] else f"{'-':>8}"
        print(f"{name:<{width}} {p50:9.0f} {percentile(stack.ttfb, 90):7.0f} {percentile(stack.ttfb, 99):7.0f} {added} "
              f"{percentile(stack.total, 50):9.0f} {envoy_cpu:13.1f} {server_text} {rss_text}")  # fmt: skip
    shutil.rmtree(workdir, ignore_errors=True)


def harness_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()
        return out[0] if out else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


if __name__ == "__main__":
    main()

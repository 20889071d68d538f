"""Does Tollgate's memory stay flat while many long streams run through it?

    clients (K concurrent) --> Envoy (rendered config) --> fake Anthropic API (tests/e2e/gateway/fake_llm.py)
                                  |                         streams N text deltas, one every --interval s
                                  +--ext_proc--> `tollgate serve` (release), translating each stream to OpenAI chunks

Runs the same K concurrent streams twice, short (N events) and long (--factor × N events), and samples
Tollgate's resident memory (VmRSS) every 0.2 s. If memory per stream does not grow with a stream's
length, the peak of the long run is about the peak of the short one. Prints RSS before, the peak
during each run, and after. Nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e" / "gateway"))

import harness  # noqa: E402
from fake_llm import StrictFake  # noqa: E402
from harness import Probe, Process, free_port, http_request, wait_until  # noqa: E402

KEY = "tg-bench-key-not-a-secret"
PROVIDER_KEY = "sk-ant-bench"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def stream_once(port: int, events: int, results: list, index: int) -> None:
    body = json.dumps({"model": "bench-claude", "stream": True, "messages": [{"role": "user", "content": "go"}]}).encode()
    request = (
        f"POST /v1/chat/completions HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n"
        f"authorization: Bearer {KEY}\r\nx-fake-scenario: long-{events}\r\ncontent-length: {len(body)}\r\n"
        f"connection: close\r\n\r\n"
    ).encode() + body
    received = 0
    tail = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=600) as connection:
            connection.sendall(request)
            while True:
                data = connection.recv(65536)
                if not data:
                    break
                received += len(data)
                tail = (tail + data)[-64:]
        results[index] = (received, b"[DONE]" in tail)
    except OSError as error:
        results[index] = (received, repr(error))


def run(port: int, streams: int, events: int, pid: int) -> dict:
    results: list = [None] * streams
    threads = [threading.Thread(target=stream_once, args=(port, events, results, i)) for i in range(streams)]
    peak = rss_kib(pid)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak = max(peak, rss_kib(pid))
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    complete = sum(1 for r in results if r and r[1] is True)
    return dict(peak=peak, elapsed=elapsed, complete=complete, bytes=sum(r[0] for r in results if r))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tollgate", type=Path, help="tollgate binary (default: swift build -c release)")
    parser.add_argument("--streams", type=int, default=100, help="concurrent streams")
    parser.add_argument("--events", type=int, default=200, help="text deltas per stream in the short run")
    parser.add_argument("--factor", type=int, default=10, help="the long run's streams are this many times longer")
    parser.add_argument("--interval", type=float, default=0.002, help="seconds between the provider's events")
    args = parser.parse_args()

    tollgate_bin = args.tollgate or harness.tollgate_binary("release")
    workdir = harness.short_tempdir("tg-bench-mem-")
    fake = StrictFake("anth", free_port(40000, 48999), "anthropic", PROVIDER_KEY, chunk_delay=args.interval)
    config = workdir / "tollgate.yaml"
    config.write_text(f"""server:
  socket: "{workdir / 'tollgate.sock'}"
  admin: "127.0.0.1:{free_port()}"
  threads: 1
log:
  level: warning
providers:
  - name: anth
    schema: anthropic
    base_url: {fake.base_url}
    credential: {{env: TOLLGATE_BENCH_ANTH_KEY}}
models:
  - name: bench-claude
    backends: [{{provider: anth, model: claude-bench}}]
keys:
  - name: bench
    sha256: {hashlib.sha256(KEY.encode()).hexdigest()}
""")
    listener_port, admin_port = free_port(), free_port()
    rendered = workdir / "envoy.yaml"
    subprocess.run([str(tollgate_bin), "envoy-config", "--config", str(config), "--listen", f"127.0.0.1:{listener_port}",
                    "--admin-port", str(admin_port), "--output", str(rendered)], check=True, capture_output=True)  # fmt: skip
    server = Process("tollgate", [str(tollgate_bin), "serve", "--config", str(config)], workdir,
                     env={"TOLLGATE_BENCH_ANTH_KEY": PROVIDER_KEY})  # fmt: skip
    envoy = None
    try:
        admin = int(config.read_text().split('admin: "127.0.0.1:')[1].split('"')[0])
        wait_until(lambda: http_request("127.0.0.1", admin, "GET", "/readyz", timeout=1)[0] == 200, 30, "tollgate ready")
        # Envoy's access log goes to its stdout: discard it here, it is not what is measured.
        envoy = Process("envoy", [harness.envoy_binary(), "-c", str(rendered), "--disable-hot-restart", "--concurrency", "2",
                                  "-l", "warning"], workdir)  # fmt: skip
        wait_until(lambda: http_request("127.0.0.1", admin_port, "GET", "/ready", timeout=1)[0] == 200, 30, "envoy ready")
        warm = run(listener_port, 4, 20, server.pid)
        assert warm["complete"] == 4, warm
        before = rss_kib(server.pid)
        short = run(listener_port, args.streams, args.events, server.pid)
        between = rss_kib(server.pid)
        long = run(listener_port, args.streams, args.events * args.factor, server.pid)
        after = rss_kib(server.pid)
    finally:
        if envoy:
            envoy.stop()
        server.stop()
        fake.close()
    print(f"# Tollgate memory under long streams, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"# {args.streams} concurrent OpenAI-client streams translated from Anthropic, one provider event every "
          f"{args.interval * 1000:g} ms; tollgate --threads 1; load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")  # fmt: skip
    print(f"{'run':<8} {'events/stream':>13} {'complete':>8} {'bytes out':>11} {'seconds':>8} {'peak RSS KiB':>13}")
    print(f"{'short':<8} {args.events:>13} {short['complete']:>8} {short['bytes']:>11} {short['elapsed']:>8.1f} {short['peak']:>13}")
    print(f"{'long':<8} {args.events * args.factor:>13} {long['complete']:>8} {long['bytes']:>11} {long['elapsed']:>8.1f} {long['peak']:>13}")
    print(f"RSS KiB: before {before}, between runs {between}, after {after}")


if __name__ == "__main__":
    main()

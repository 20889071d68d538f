"""The usage ledger, the metrics and the request log through the real stack: `tollgate serve` with
`storage.path` behind the Envoy it renders, strict fake OpenAI and Anthropic providers reporting
fixed usage (fake_llm.py).

One module stack sends, in order: a buffered chat, a streamed chat, a translated chat (OpenAI client,
Anthropic backend), a failed-over chat (503 from the OpenAI primary, served by the Anthropic
secondary), three refusals (401, 403, 404), and a stream the client abandons halfway. Then:

- the ledger has one row per request, in order, with exactly the tokens the fakes reported (the
  abandoned one flagged estimated, with what the stream showed before the cut);
- `tollgate usage --format json` totals equal the sums over the rows;
- /metrics, read with prometheus_client's parser, has the same token and cost totals;
- the request log (stdout) has one JSON line per request with the same facts and no secret.

Separate stacks check that SIGTERM under load loses no row.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from prometheus_client.parser import text_string_to_metric_families

import harness
from fake_llm import ANTHROPIC_USAGE, OPENAI_USAGE, StrictFake
from gateway_stack import GatewayStack, Reply

pytestmark = pytest.mark.timeout(240)

ANTHROPIC_SECRET = "sk-ant-ledger-secret"
OPENAI_SECRET = "sk-oai-ledger-secret"
ANTHROPIC_INPUT = (
    ANTHROPIC_USAGE["input_tokens"] + ANTHROPIC_USAGE["cache_read_input_tokens"] + ANTHROPIC_USAGE["cache_creation_input_tokens"]
)
# The usage each kind of answer reports, as the ledger stores it (input includes the cache parts).
OPENAI_ROW = {
    "input_tokens": OPENAI_USAGE["prompt_tokens"],
    "output_tokens": OPENAI_USAGE["completion_tokens"],
    "cached_input_tokens": OPENAI_USAGE["prompt_tokens_details"]["cached_tokens"],
    "cache_creation_tokens": 0,
    "reasoning_tokens": OPENAI_USAGE["completion_tokens_details"]["reasoning_tokens"],
}
ANTHROPIC_ROW = {
    "input_tokens": ANTHROPIC_INPUT,
    "output_tokens": ANTHROPIC_USAGE["output_tokens"],
    "cached_input_tokens": ANTHROPIC_USAGE["cache_read_input_tokens"],
    "cache_creation_tokens": ANTHROPIC_USAGE["cache_creation_input_tokens"],
    "reasoning_tokens": 0,
}
NO_TOKENS = dict.fromkeys(OPENAI_ROW, 0)
# Dollars per million tokens, so every served row has a cost.
PRICES = [
    {"model": "gpt-upstream", "input": 2.5, "output": 10, "cached_input": 1.25},
    {"model": "claude-*", "input": 3, "output": 15, "cached_input": 0.3, "cache_creation": 3.75},
]
COLUMNS = (
    "key_name, tenant, endpoint, requested_model, served_model, provider, attempts, status, rejection_reason,"
    " stream, input_tokens, output_tokens, cached_input_tokens, cache_creation_tokens, reasoning_tokens,"
    " cost_micros, ttft_us, duration_us, estimated, request_id"
)


def ledger_rows(database) -> list[dict]:
    connection = sqlite3.connect(database)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(f"SELECT {COLUMNS} FROM usage ORDER BY id")]
    finally:
        connection.close()


def request_log(stack: GatewayStack) -> list[dict]:
    """The request log's lines: stdout shares tollgate.log with stderr, whose lines are not JSON."""
    lines = []
    for text in stack.tollgate.log_path.read_text(errors="replace").splitlines():
        if text.startswith('{"time":'):
            lines.append(json.loads(text))
    return lines


def config_for(strict: StrictFakes, keys, database, **ledger) -> dict:
    (strict.workdir / "anth.key").write_text(ANTHROPIC_SECRET)
    (strict.workdir / "oai.key").write_text(OPENAI_SECRET)
    return {
        "providers": [
            {"name": "oai", "schema": "openai", "base_url": f"{strict.openai.base_url}/v1",
             "credential": {"file": str(strict.workdir / "oai.key")}},
            {"name": "anth", "schema": "anthropic", "base_url": strict.anthropic.base_url,
             "credential": {"file": str(strict.workdir / "anth.key")}},
            {"name": "slow", "schema": "anthropic", "base_url": strict.slow.base_url,
             "credential": {"file": str(strict.workdir / "anth.key")}},
        ],
        "models": [
            {"name": "gpt-e2e", "aliases": ["fast"], "backends": [{"provider": "oai", "model": "gpt-upstream"}]},
            {"name": "claude-e2e", "backends": [{"provider": "anth", "model": "claude-upstream"}]},
            {"name": "failover-e2e", "backends": [
                {"provider": "oai", "model": "gpt-upstream", "priority": 0},
                {"provider": "anth", "model": "claude-secondary", "priority": 1},
            ]},
            {"name": "slow-e2e", "backends": [{"provider": "slow", "model": "claude-slow"}]},
        ],
        "keys": [
            {"name": "all", "tenant": "e2e", "sha256": keys.hashes["all"], "models": ["*"]},
            {"name": "limited", "tenant": "e2e", "sha256": keys.hashes["limited"], "models": ["gpt-e2e"]},
        ],
        "prices": PRICES,
        "storage": {"path": str(database)},
        "ledger": {"batch_window_ms": 50, **ledger},
        "gateway": {"max_body_bytes": 65536, "reload_interval_seconds": 0},
    }  # fmt: skip


@dataclass
class StrictFakes:
    workdir: object
    openai: StrictFake
    anthropic: StrictFake
    slow: StrictFake  # Anthropic, pausing between events: a stream to abandon

    def close(self) -> None:
        for fake in (self.openai, self.anthropic, self.slow):
            fake.close()


@pytest.fixture(scope="module")
def strict() -> Iterator[StrictFakes]:
    workdir = harness.short_tempdir("tg-led-")
    fakes = StrictFakes(
        workdir=workdir,
        openai=StrictFake("oai", harness.free_port(40000, 48999), "openai", OPENAI_SECRET),
        anthropic=StrictFake("anth", harness.free_port(40000, 48999), "anthropic", ANTHROPIC_SECRET),
        slow=StrictFake("slow", harness.free_port(40000, 48999), "anthropic", ANTHROPIC_SECRET, chunk_delay=0.25),
    )
    yield fakes
    fakes.close()
    shutil.rmtree(workdir, ignore_errors=True)


def chat(stack: GatewayStack, key: str, model: str, *, stream: bool = False, scenario: str = "") -> Reply:
    body = {"model": model, "messages": [{"role": "user", "content": f"marker {uuid.uuid4().hex}"}]}
    if stream:
        body["stream"] = True
    headers = {"x-fake-scenario": scenario} if scenario else {}
    return stack.request("POST", "/v1/chat/completions", body, key=key, headers=headers)


def abandon_stream(stack: GatewayStack, key: str, model: str) -> bytes:
    """Starts a streamed chat, reads until the first content arrives, and closes the connection."""
    body = json.dumps({"model": model, "stream": True, "messages": [{"role": "user", "content": "hi"}]}).encode()
    request = (
        f"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
        f"authorization: Bearer {key}\r\nx-fake-scenario: long-40\r\ncontent-length: {len(body)}\r\n\r\n"
    ).encode() + body
    received = b""
    with socket.create_connection(("127.0.0.1", stack.port), timeout=30) as connection:
        connection.sendall(request)
        deadline = time.monotonic() + 20
        while b"token0" not in received and time.monotonic() < deadline:
            data = connection.recv(65536)
            if not data:
                break
            received += data
        # RST rather than FIN: the client is gone, not half-closed.
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    return received


@dataclass
class Traffic:
    stack: GatewayStack
    database: object
    expected: list[dict]  # one per request, in order: the columns each row must have
    rows: list[dict]


@pytest.fixture(scope="module")
def traffic(tollgate, strict, keys) -> Iterator[Traffic]:
    workdir = harness.short_tempdir("tg-led-")
    database = workdir / "tollgate.db"
    stack = GatewayStack(workdir, config_for(strict, keys, database))
    expected: list[dict] = []
    served = {"key_name": "all", "tenant": "e2e", "endpoint": "/v1/chat/completions", "rejection_reason": None}
    try:
        reply = chat(stack, keys.all, "fast")
        assert reply.status == 200, reply
        expected.append({**served, "requested_model": "gpt-e2e", "served_model": "gpt-upstream", "provider": "oai",
                         "attempts": 1, "status": 200, "stream": 0, **OPENAI_ROW, "estimated": 0})  # fmt: skip

        reply = chat(stack, keys.all, "gpt-e2e", stream=True)
        assert reply.status == 200 and b"[DONE]" in reply.body, reply
        expected.append({**served, "requested_model": "gpt-e2e", "served_model": "gpt-upstream", "provider": "oai",
                         "attempts": 1, "status": 200, "stream": 1, **OPENAI_ROW, "estimated": 0})  # fmt: skip

        reply = chat(stack, keys.all, "claude-e2e")
        assert reply.status == 200 and reply.json["object"] == "chat.completion", reply
        expected.append({**served, "requested_model": "claude-e2e", "served_model": "claude-upstream",
                         "provider": "anth", "attempts": 1, "status": 200, "stream": 0, **ANTHROPIC_ROW,
                         "estimated": 0})  # fmt: skip

        reply = chat(stack, keys.all, "failover-e2e", stream=True, scenario="fail-oai")
        assert reply.status == 200 and reply.headers.get("x-fake-provider") == "anth", reply
        expected.append({**served, "requested_model": "failover-e2e", "served_model": "claude-secondary",
                         "provider": "anth", "attempts": 2, "status": 200, "stream": 1, **ANTHROPIC_ROW,
                         "estimated": 0})  # fmt: skip

        refused = {"provider": None, "served_model": None, "attempts": 0, "stream": 0, **NO_TOKENS, "estimated": 0}
        reply = chat(stack, "tg-not-a-key", "gpt-e2e")
        assert reply.status == 401, reply
        expected.append({**refused, "key_name": None, "tenant": None, "endpoint": "/v1/chat/completions",
                         "requested_model": None, "status": 401, "rejection_reason": "invalid_key"})  # fmt: skip
        reply = chat(stack, keys.limited, "claude-e2e")
        assert reply.status == 403, reply
        expected.append({**refused, "key_name": "limited", "tenant": "e2e", "endpoint": "/v1/chat/completions",
                         "requested_model": "claude-e2e", "status": 403,
                         "rejection_reason": "model_not_allowed"})  # fmt: skip
        reply = chat(stack, keys.all, "no-such-model")
        assert reply.status == 404, reply
        expected.append({**refused, "key_name": "all", "tenant": "e2e", "endpoint": "/v1/chat/completions",
                         "requested_model": "no-such-model", "status": 404,
                         "rejection_reason": "model_not_found"})  # fmt: skip

        received = abandon_stream(stack, keys.all, "slow-e2e")
        assert b" 200 " in received.split(b"\r\n", 1)[0] and b"token0" in received, received[:400]
        # What the stream showed before the cut: message_start's counts (input, cache parts, 1 output).
        expected.append({**served, "requested_model": "slow-e2e", "served_model": "claude-slow", "provider": "slow",
                         "attempts": 1, "status": 200, "stream": 1, **ANTHROPIC_ROW, "output_tokens": 1,
                         "estimated": 1})  # fmt: skip

        rows = harness.wait_until(
            lambda: (found := ledger_rows(database)) and len(found) >= len(expected) and found,
            20,
            f"{len(expected)} ledger rows",
            interval=0.1,
        )
        yield Traffic(stack, database, expected, rows)
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def test_each_request_is_one_row_with_the_providers_exact_usage(traffic):
    rows = traffic.rows
    assert len(rows) == len(traffic.expected), rows
    for index, (row, expected) in enumerate(zip(rows, traffic.expected)):
        differing = {name: (row[name], value) for name, value in expected.items() if row[name] != value}
        assert not differing, f"row {index}: {differing}\n{row}"
        assert row["duration_us"] > 0, row
        assert row["request_id"], row
    served = [row for row in rows if row["provider"]]
    assert all(row["cost_micros"] > 0 for row in served), served
    assert all(row["cost_micros"] == 0 for row in rows if not row["provider"])
    # Streams that reached content have a time to first token; refusals have none.
    assert all(row["ttft_us"] is not None for row in served if row["stream"])
    assert all(row["ttft_us"] is None for row in rows if not row["provider"])


def test_the_usage_report_totals_equal_the_rows(traffic, tollgate):
    rows = ledger_rows(traffic.database)
    report = subprocess.run(
        [str(tollgate), "usage", "--db", str(traffic.database), "--group-by", "provider", "--format", "json"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert report.returncode == 0, report.stderr
    total = json.loads(report.stdout)["total"]
    assert total["requests"] == len(rows)
    for column in ("input_tokens", "output_tokens", "cached_input_tokens", "cache_creation_tokens", "reasoning_tokens"):
        assert total[column] == sum(row[column] for row in rows), column
    assert total["cost_micros"] == sum(row["cost_micros"] or 0 for row in rows)
    assert total["estimated"] == sum(row["estimated"] for row in rows) == 1
    assert total["rejected"] == sum(1 for row in rows if row["rejection_reason"]) == 3
    by_provider = {row["provider"]: row for row in json.loads(report.stdout)["rows"]}
    assert by_provider["anth"]["requests"] == 2 and by_provider["oai"]["requests"] == 2, by_provider


def metric_samples(stack: GatewayStack) -> dict[str, list]:
    status, _, body = harness.http_request("127.0.0.1", stack.admin_port, "GET", "/metrics", timeout=5)
    assert status == 200
    samples: dict[str, list] = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample)
    return samples


def test_metrics_parse_and_their_totals_equal_the_ledger(traffic):
    rows = ledger_rows(traffic.database)
    samples = metric_samples(traffic.stack)

    def total(name: str, **labels: str) -> float:
        return sum(s.value for s in samples.get(name, []) if all(s.labels.get(k) == v for k, v in labels.items()))

    assert total("gen_ai_client_token_usage_sum", gen_ai_token_type="input") == sum(r["input_tokens"] for r in rows)
    assert total("gen_ai_client_token_usage_sum", gen_ai_token_type="output") == sum(r["output_tokens"] for r in rows)
    for kind, column in [("cached_input", "cached_input_tokens"), ("cache_creation_input", "cache_creation_tokens"),
                         ("reasoning", "reasoning_tokens")]:  # fmt: skip
        assert total("tollgate_gateway_tokens_total", kind=kind) == sum(r[column] for r in rows), kind
    assert total("tollgate_cost_microdollars_total") == sum(r["cost_micros"] or 0 for r in rows)
    assert total("tollgate_cost_microdollars_total", provider="anth", model="failover-e2e", tenant="e2e") == next(
        r["cost_micros"] for r in rows if r["requested_model"] == "failover-e2e"
    )

    # Every request by status and reason; the GenAI duration for every request a provider saw.
    assert total("tollgate_requests_total") == len(rows)
    assert total("tollgate_requests_total", status="401", reason="invalid_key") == 1
    assert total("tollgate_requests_total", status="404", reason="model_not_found") == 1
    assert total("tollgate_requests_total", status="200", reason="none") == 5
    assert total("gen_ai_server_request_duration_seconds_count") == sum(1 for r in rows if r["provider"])
    assert total("gen_ai_server_request_duration_seconds_count", error_type="interrupted",
                 gen_ai_provider_name="slow", gen_ai_request_model="slow-e2e") == 1  # fmt: skip
    translated = dict(gen_ai_operation_name="chat", gen_ai_provider_name="anth", gen_ai_request_model="claude-e2e",
                      gen_ai_response_model="claude-upstream")  # fmt: skip
    assert total("gen_ai_client_token_usage_count", gen_ai_token_type="input", **translated) == 1
    # Successful streams only: the streamed chat and the failed-over stream.
    assert total("gen_ai_server_time_to_first_token_seconds_count") == 2
    assert total("gen_ai_server_time_per_output_token_seconds_count") == 2


def test_the_request_log_has_one_line_per_request_and_no_secret(traffic, keys):
    rows = ledger_rows(traffic.database)
    lines = harness.wait_until(
        lambda: len(found := request_log(traffic.stack)) >= len(rows) and found, 10, "request log lines"
    )
    assert len(lines) == len(rows), lines
    for line, row in zip(lines, rows):
        assert line["type"] == "request"
        assert (line["key"], line["tenant"], line["status"], line["rejection"], line["provider"]) == (
            row["key_name"], row["tenant"], row["status"], row["rejection_reason"], row["provider"],
        ), (line, row)  # fmt: skip
        assert line["envoy_request_id"] == row["request_id"], (line, row)
        assert line["upstream_model"] == row["served_model"]
        assert line["attempts"] == row["attempts"]
        assert (line["input_tokens"] or 0, line["output_tokens"] or 0) == (row["input_tokens"], row["output_tokens"])
        assert line["usage_complete"] in (None, not row["estimated"]), (line, row)
        cost = line["cost_usd"]
        assert round((cost or 0) * 1_000_000) == (row["cost_micros"] or 0), (line, row)
    assert lines[-1]["interrupted"] is True and lines[-1]["stream_outcome"] == "in_progress", lines[-1]
    assert lines[0]["client_model"] == "fast" and lines[0]["model"] == "gpt-e2e"
    text = traffic.stack.tollgate.log_path.read_text(errors="replace")
    for secret in (keys.all, keys.limited, "tg-not-a-key", ANTHROPIC_SECRET, OPENAI_SECRET):
        assert secret not in text


# -------------------------------------------------------------------------------------------------
# SIGTERM under load


def test_sigterm_under_load_loses_no_row(tollgate, strict, keys):
    """200 streamed requests from 24 threads; SIGTERM once 40 have answered. Tollgate drains (its
    in-flight streams finish, new ones are refused), then commits every record. Each request the
    router phase saw is one row: every 200 the client got has its row (matched by x-request-id),
    and no row is missing for any other request Tollgate answered. Requests Envoy could no longer
    hand to Tollgate (refused at the ext_proc hop: 5xx, or connection errors) have none."""
    workdir = harness.short_tempdir("tg-led-term-")
    database = workdir / "tollgate.db"
    # A long window: nothing is committed by the timer during the test, so only the drain can save it.
    stack = GatewayStack(workdir, config_for(strict, keys, database, batch_window_ms=60_000, batch_max=100_000))
    answered = threading.Semaphore(0)
    results: dict[str, tuple[int, bytes]] = {}
    strict.slow.chunk_delay = 0.05
    try:

        def one(index: int) -> None:
            request_id = f"{uuid.uuid4()}"
            try:
                status, _, body = harness.http_request(
                    "127.0.0.1", stack.port, "POST", "/v1/chat/completions",
                    json.dumps({"model": "slow-e2e", "stream": True,
                                "messages": [{"role": "user", "content": f"n {index}"}]}).encode(),
                    {"authorization": f"Bearer {keys.all}", "content-type": "application/json",
                     "x-request-id": request_id, "x-fake-scenario": "long-4"},
                    timeout=30,
                )  # fmt: skip
                results[request_id] = (status, body)
            except OSError as error:
                results[request_id] = (0, repr(error).encode())
            answered.release()

        with ThreadPoolExecutor(max_workers=24) as pool:
            futures = [pool.submit(one, index) for index in range(200)]
            for _ in range(40):
                assert answered.acquire(timeout=60), "requests did not complete before SIGTERM"
            os.kill(stack.tollgate.pid, signal.SIGTERM)
            for future in futures:
                future.result(timeout=120)
        assert stack.tollgate.popen.wait(timeout=30) == 0
    finally:
        strict.slow.chunk_delay = 0.25
        stack.stop()

    rows = ledger_rows(database)
    statuses = sorted({status for status, _ in results.values()})
    harness.log(f"SIGTERM under load: {len(results)} requests, statuses {statuses}, {len(rows)} rows")
    served = {rid for rid, (status, body) in results.items() if status == 200 and b"[DONE]" in body}
    recorded = [row["request_id"] for row in rows]
    assert len(recorded) == len(set(recorded)), "a request recorded twice"
    # Envoy kept the client's x-request-id, so rows and responses match one to one.
    assert set(recorded) <= set(results), set(recorded) - set(results)
    missing = served - set(recorded)
    assert not missing, f"{len(missing)} served requests without a row"
    assert len(served) >= 40, len(served)
    # Every row is a request Tollgate saw end: served (200, complete) or cut by the drain (estimated).
    for row in rows:
        status, body = results[row["request_id"]]
        if row["request_id"] in served:
            assert row["status"] == 200 and row["estimated"] == 0 and row["input_tokens"] == ANTHROPIC_INPUT, row
        else:
            assert row["estimated"] == 1 or row["status"] >= 400, (row, status, body[:200])
    shutil.rmtree(workdir, ignore_errors=True)

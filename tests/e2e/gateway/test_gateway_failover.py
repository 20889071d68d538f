"""Failover across providers through Envoy's retries (issue 5), end to end with the rendered config
and per-model `retry:` / `outlier_detection:` settings: a primary that hangs past the per-try timeout,
a 429 whose Retry-After Envoy waits out, a primary ejected after consecutive errors, and weighted
backends sharing traffic by their weights.

The 503, 429, unreachable-primary and every-backend-fails cases are in test_gateway_translation.py,
on the same strict fakes (fake_llm.py): an OpenAI-compatible primary and an Anthropic secondary.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator

import pytest

import harness
from fake_llm import StrictFake
from gateway_stack import GatewayStack
from test_gateway_translation import (
    ANTHROPIC_SECRET,
    OPENAI_SECRET,
    check_chat_completion,
    check_chunks,
    chunk_text,
    wait_for_log_line,
)

pytestmark = pytest.mark.timeout(240)

PER_TRY_TIMEOUT = 2.0
HANG_SECONDS = 10.0
EJECT_AFTER = 3


@pytest.fixture(scope="module")
def strict() -> Iterator[tuple[StrictFake, StrictFake]]:
    openai = StrictFake("oai", harness.free_port(40000, 48999), "openai", OPENAI_SECRET, hang_seconds=HANG_SECONDS)
    anthropic = StrictFake("anth", harness.free_port(40000, 48999), "anthropic", ANTHROPIC_SECRET)
    yield openai, anthropic
    openai.close()
    anthropic.close()


def failover_model(name: str, **settings) -> dict:
    """An OpenAI primary (priority 0) and an Anthropic secondary (priority 1)."""
    return {
        "name": name,
        "backends": [
            {"provider": "oai", "model": "gpt-primary", "priority": 0},
            {"provider": "anth", "model": "claude-secondary", "priority": 1},
        ],
        **settings,
    }


@pytest.fixture(scope="module")
def stack(tollgate, strict, keys) -> Iterator[GatewayStack]:
    openai, anthropic = strict
    workdir = harness.short_tempdir("tg-fo-")
    config = {
        "providers": [
            {"name": "oai", "schema": "openai", "base_url": f"{openai.base_url}/v1",
             "credential": {"env": "TOLLGATE_E2E_OAI_KEY"}},
            {"name": "anth", "schema": "anthropic", "base_url": anthropic.base_url,
             "credential": {"env": "TOLLGATE_E2E_ANTH_KEY"}},
        ],
        "models": [
            failover_model("hang-e2e", retry={"per_try_timeout": f"{int(PER_TRY_TIMEOUT)}s"}),
            failover_model("retry-after-e2e"),
            failover_model("eject-e2e", outlier_detection={"consecutive_5xx": EJECT_AFTER, "base_ejection_time": "5m"}),
            # One backend: prepared by the router phase, sent to a cluster without the upstream phase.
            {"name": "solo-e2e", "backends": [{"provider": "anth", "model": "claude-solo"}]},
        ],
        "keys": [{"name": "all", "tenant": "e2e", "sha256": keys.hashes["all"], "models": ["*"]}],
        "gateway": {"max_body_bytes": 65536, "reload_interval_seconds": 0.2},
        "storage": {"path": str(workdir / "tollgate.db")},
        "ledger": {"batch_window_ms": 50},
    }  # fmt: skip
    env = {"TOLLGATE_E2E_ANTH_KEY": ANTHROPIC_SECRET, "TOLLGATE_E2E_OAI_KEY": OPENAI_SECRET}
    gateway = GatewayStack(workdir, config, env=env)
    yield gateway
    gateway.stop()
    shutil.rmtree(workdir, ignore_errors=True)


def openai_chat(stack, keys, model: str, *, stream: bool = False, scenario: str = ""):
    """An OpenAI client's chat completion with a unique marker: (marker, reply, seconds taken)."""
    marker = uuid.uuid4().hex
    body = {"model": model, "messages": [{"role": "user", "content": f"marker {marker}"}]}
    if stream:
        body["stream"] = True
    headers = {"x-fake-scenario": scenario} if scenario else {}
    started = time.monotonic()
    reply = stack.request("POST", "/v1/chat/completions", body, key=keys.all, headers=headers, timeout=60)
    return marker, reply, time.monotonic() - started


def assert_served_by_the_anthropic_secondary(reply, stream: bool) -> None:
    """An OpenAI-shaped answer, translated from the Anthropic fake's."""
    assert reply.status == 200, reply
    assert reply.headers.get("x-fake-provider") == "anth"
    if stream:
        assert reply.headers["content-type"].startswith("text/event-stream")
        assert chunk_text(check_chunks(reply.body)) == "hello from anth"
    else:
        check_chat_completion(reply.json)
        assert reply.json["choices"][0]["message"]["content"] == "hello from anth"


def ledger_rows(stack, model: str) -> list[tuple]:
    """(backend, attempts, status, stream) of the ledger's rows for `model`."""
    database = stack.workdir / "tollgate.db"
    connection = sqlite3.connect(database, timeout=5)
    try:
        return connection.execute(
            "SELECT backend, attempts, status, stream FROM usage WHERE requested_model = ? ORDER BY id", (model,)
        ).fetchall()
    finally:
        connection.close()


@pytest.mark.parametrize("stream", [False, True], ids=["buffered", "streamed"])
def test_primary_hanging_past_the_per_try_timeout_fails_over(stack, strict, keys, stream):
    openai, anthropic = strict
    rows_before = len(ledger_rows(stack, "hang-e2e"))
    marker, reply, elapsed = openai_chat(stack, keys, "hang-e2e", stream=stream, scenario="hang-oai")
    assert_served_by_the_anthropic_secondary(reply, stream)
    # The primary got the request and held it; Envoy gave up after the per-try timeout, not after
    # the primary's 10 s (nor the model's 300 s timeout).
    assert openai.find(marker).json["model"] == "gpt-primary"
    assert anthropic.find(marker).json["model"] == "claude-secondary"
    assert PER_TRY_TIMEOUT <= elapsed < HANG_SECONDS - 2, elapsed

    outcome = "completed" if stream else None
    line = wait_for_log_line(
        stack, lambda l: l.get("model") == "hang-e2e" and l.get("stream_outcome") == outcome and l.get("status") == 200,
        "the hung request's access log line",
    )  # fmt: skip
    assert line["backend"] == "hang-e2e/1" and line["attempts"] == 2 and line["provider"] == "anth", line
    rows = harness.wait_until(
        lambda: (rows := ledger_rows(stack, "hang-e2e")) and len(rows) > rows_before and rows,
        10, "the hung request's ledger row", interval=0.1,
    )  # fmt: skip
    assert rows[-1] == ("hang-e2e/1", 2, 200, 1 if stream else 0), rows


def test_retry_after_is_waited_out_before_the_next_attempt(stack, strict, keys):
    """A 429 with `retry-after: 1`: Envoy waits between 1 and 1.5 s (its jittered lower bound) before
    the retry; the same 429 without the header is retried after the short back-off (at most 250 ms)."""
    _, anthropic = strict
    marker, plain, plain_elapsed = openai_chat(stack, keys, "retry-after-e2e", scenario="limit-oai")
    assert_served_by_the_anthropic_secondary(plain, stream=False)
    marker, waited, waited_elapsed = openai_chat(stack, keys, "retry-after-e2e", scenario="retry-after-oai")
    assert_served_by_the_anthropic_secondary(waited, stream=False)
    assert anthropic.find(marker).json["model"] == "claude-secondary"
    assert plain_elapsed < 0.8, plain_elapsed
    assert 0.95 <= waited_elapsed < 5, waited_elapsed


def test_outlier_detection_ejects_a_failing_primary(stack, strict, keys):
    """After EJECT_AFTER 503s in a row the primary is ejected (for 5 minutes): later requests go
    straight to the secondary, and the primary's request count stops growing."""
    openai, _ = strict
    markers = []
    for _ in range(EJECT_AFTER + 6):
        marker, reply, _ = openai_chat(stack, keys, "eject-e2e", scenario="fail-oai")
        assert_served_by_the_anthropic_secondary(reply, stream=False)
        markers.append(marker)
    reached_primary = [bool(openai.all_with(marker)) for marker in markers]
    assert reached_primary[:EJECT_AFTER] == [True] * EJECT_AFTER, reached_primary
    # Envoy ejects on its main thread, just after the worker saw the last error: one more request
    # may still slip through; none after that.
    assert not any(reached_primary[EJECT_AFTER + 1:]), reached_primary
    stats = stack.envoy_stats("outlier_detection")
    assert stats.get("cluster.tollgate_model_eject-e2e.outlier_detection.ejections_enforced_consecutive_5xx", 0) >= 1, stats
    assert stats.get("cluster.tollgate_model_eject-e2e.outlier_detection.ejections_active") == 1, stats


def test_weighted_backends_share_traffic_by_weight(make_gateway, fakes, keys):
    """3:1 weights at one priority over 400 requests: alpha's share within 0.75 ± 0.075. Envoy's
    locality scheduler is deterministic (EDF), so the share lands within a request or two of 300;
    the tolerance (±30 requests) would still hold 3.5 standard deviations if picks were random."""
    requests, weights = 400, {"alpha": 3, "beta": 1}

    def add_weighted(config):
        config["models"].append(
            {
                "name": "m-weighted",
                "backends": [{"provider": name, "model": f"w-{name}", "weight": weight} for name, weight in weights.items()],
            }
        )

    stack = make_gateway(add_weighted)
    counts = {"alpha": 0, "beta": 0}
    for _ in range(requests):
        marker, reply = stack.chat("m-weighted", keys.all)
        assert reply.status == 200, reply
        name = reply.headers["x-fake-provider"]
        counts[name] += 1
        assert getattr(fakes, name).find(marker).json["model"] == f"w-{name}"
    share = counts["alpha"] / requests
    assert abs(share - 0.75) <= 0.075, counts


def assert_prepared_for_anthropic(received, keys) -> None:
    """What the Anthropic fake got from a direct request: its path, key and translated body, framed
    by its length, nothing of the client's key or Tollgate's headers."""
    assert received.path == "/v1/messages"
    assert received.header("x-api-key") == ANTHROPIC_SECRET
    assert received.json["model"] == "claude-solo"
    assert not received.chunked and received.header("content-length") == str(len(received.body))
    for name, value in received.headers:
        assert not name.startswith("x-tollgate-"), f"{name} reached the provider"
        assert keys.all not in value, f"the gateway key reached the provider in {name}"


def test_a_one_backend_model_skips_the_upstream_phase(stack, strict, keys):
    _, anthropic = strict
    upstream_streams = "cluster.tollgate_model_solo-e2e.ext_proc.upstream.streams_started"
    before = stack.envoy_stats("solo-e2e")
    marker, reply, _ = openai_chat(stack, keys, "solo-e2e")
    assert reply.status == 200, reply
    check_chat_completion(reply.json)
    assert "x-envoy-attempt-count" not in reply.headers
    assert_prepared_for_anthropic(anthropic.find(marker), keys)
    after = stack.envoy_stats("solo-e2e")
    # The direct cluster served it; the model's cluster (and its upstream ext_proc) saw nothing.
    direct_requests = "cluster.tollgate_direct_solo-e2e.upstream_rq_total"
    assert after.get(direct_requests, 0) == before.get(direct_requests, 0) + 1, after
    assert after.get(upstream_streams, 0) == before.get(upstream_streams, 0), after
    line = wait_for_log_line(stack, lambda l: l.get("model") == "solo-e2e" and l.get("status") == 200, "the direct request's log line")
    assert line["backend"] == "solo-e2e/0" and line["attempts"] == 1 and line["provider"] == "anth", line


@pytest.mark.parametrize("stream", [False, True], ids=["buffered", "streamed"])
def test_a_one_backend_models_retries_resend_the_prepared_request(stack, strict, keys, stream):
    """Envoy retries a failing one-backend model on the same backend: every attempt is the prepared
    request, and the ledger counts Envoy's attempts, which no upstream phase saw."""
    _, anthropic = strict
    rows_before = len(ledger_rows(stack, "solo-e2e"))
    marker, reply, _ = openai_chat(stack, keys, "solo-e2e", stream=stream, scenario="fail-anth")
    assert reply.status == 503, reply
    assert reply.json["error"]["type"] == "server_error", reply.json
    attempts = anthropic.all_with(marker)
    assert len(attempts) == 2, attempts
    for received in attempts:
        assert_prepared_for_anthropic(received, keys)
    rows = harness.wait_until(
        lambda: (rows := ledger_rows(stack, "solo-e2e")) and len(rows) > rows_before and rows,
        10, "the failed request's ledger row", interval=0.1,
    )  # fmt: skip
    assert rows[-1] == ("solo-e2e/0", 2, 503, 1 if stream else 0), rows

"""Routing through the real Envoy with the config `tollgate envoy-config` rendered: the model (or an
alias) picks the provider, the upstream model name is rewritten, each provider sees its own key and
never the client's, Azure gets its path, query and header, and a failing backend falls over to the
next priority with that backend's own rewrite."""

from __future__ import annotations

import json

import pytest

from conftest import ALPHA_SECRET, AZURE_SECRET, BETA_SECRET

pytestmark = pytest.mark.timeout(120)


def assert_private_headers_gone(received, keys) -> None:
    """Nothing the client authenticated with, and none of Tollgate's routing headers, left the gateway."""
    for name, value in received.headers:
        for key in (keys.all, keys.limited):
            assert key not in value, f"the gateway key reached the provider in {name}"
        assert not name.startswith("x-tollgate-"), f"{name} reached the provider"
    assert received.header("x-api-key") is None


def assert_framed_by_length(received) -> None:
    """The replaced body went out with a content-length equal to its size, not chunked."""
    assert not received.chunked, f"the upstream request was chunked: {received.headers}"
    assert received.header("content-length") == str(len(received.body)), received.headers


@pytest.mark.parametrize("key_header", ["authorization", "x-api-key"])
def test_model_routes_to_its_provider_with_the_provider_key(gateway, fakes, keys, key_header):
    marker, reply = gateway.chat("m-alpha", keys.all, key_header=key_header)
    assert reply.status == 200, reply
    assert reply.headers.get("x-fake-provider") == "alpha"
    assert reply.json["choices"][0]["message"]["content"] == "hello from alpha"

    received = fakes.alpha.find(marker)
    assert received.method == "POST"
    assert received.path == "/v1/chat/completions"
    assert received.json["model"] == "alpha-upstream-1"
    assert received.json["messages"][0]["content"] == f"marker {marker}"
    assert received.header_values("authorization") == [f"Bearer {ALPHA_SECRET}"]
    assert received.header("host") == f"127.0.0.1:{fakes.alpha.port}"
    assert_private_headers_gone(received, keys)
    assert_framed_by_length(received)
    assert not fakes.beta.all_with(marker) and not fakes.azure.all_with(marker)


def test_alias_routes_like_the_model(gateway, fakes, keys):
    marker, reply = gateway.chat("alpha-fast", keys.limited)
    assert reply.status == 200, reply
    received = fakes.alpha.find(marker)
    assert received.json["model"] == "alpha-upstream-1"
    assert received.header("authorization") == f"Bearer {ALPHA_SECRET}"
    assert_private_headers_gone(received, keys)


def test_second_provider_gets_its_base_path_file_key_and_extra_header(gateway, fakes, keys):
    marker, reply = gateway.chat("m-beta", keys.all, key_header="x-api-key")
    assert reply.status == 200, reply
    assert reply.headers.get("x-fake-provider") == "beta"
    received = fakes.beta.find(marker)
    assert received.path == "/compat/v1/chat/completions"
    assert received.json["model"] == "beta-upstream"
    assert received.header("authorization") == f"Bearer {BETA_SECRET}"  # trimmed of the file's newline
    assert received.header("x-beta-org") == "org-7"
    assert_private_headers_gone(received, keys)
    assert_framed_by_length(received)
    assert not fakes.alpha.all_with(marker)


def test_azure_gets_deployment_path_api_version_and_api_key(gateway, fakes, keys):
    marker, reply = gateway.chat("m-azure", keys.all)
    assert reply.status == 200, reply
    received = fakes.azure.find(marker)
    assert received.path == "/openai/deployments/dep-42/chat/completions"
    assert received.query == {"api-version": ["2024-10-21"]}
    assert received.header("api-key") == AZURE_SECRET
    assert received.header("authorization") is None
    assert_private_headers_gone(received, keys)
    assert_framed_by_length(received)


def test_embeddings_and_completions_reach_their_paths(gateway, fakes, keys):
    reply = gateway.request("POST", "/v1/embeddings", {"model": "m-beta", "input": "emb-marker-1"}, key=keys.all)
    assert reply.status == 200, reply
    assert reply.json["object"] == "list"
    received = fakes.beta.find("emb-marker-1")
    assert received.path == "/compat/v1/embeddings"
    assert received.json["model"] == "beta-upstream"

    reply = gateway.request("POST", "/v1/completions", {"model": "m-alpha", "prompt": "cmpl-marker-1"}, key=keys.all)
    assert reply.status == 200, reply
    assert reply.json["object"] == "text_completion"
    assert fakes.alpha.find("cmpl-marker-1").path == "/v1/completions"

    reply = gateway.request("POST", "/v1/embeddings", {"model": "m-azure", "input": "emb-marker-2"}, key=keys.all)
    assert reply.status == 200, reply
    received = fakes.azure.find("emb-marker-2")
    assert received.path == "/openai/deployments/dep-42/embeddings"
    assert received.query["api-version"] == ["2024-10-21"]


def test_streamed_response_passes_through(gateway, fakes, keys):
    marker, reply = gateway.chat("m-alpha", keys.all, extra={"stream": True})
    assert reply.status == 200, reply
    assert reply.headers["content-type"].startswith("text/event-stream")
    events = [line for line in reply.body.decode().split("\n\n") if line]
    assert events[-1] == "data: [DONE]"
    text = "".join(
        json.loads(event[len("data: ") :])["choices"][0]["delta"].get("content", "") for event in events[:-1]
    )
    assert text == "hello from alpha"
    assert fakes.alpha.find(marker).json["stream"] is True


def test_models_list_is_filtered_per_key(gateway, keys):
    reply = gateway.request("GET", "/v1/models", key=keys.all)
    assert reply.status == 200, reply
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json["object"] == "list"
    assert [m["id"] for m in reply.json["data"]] == ["m-alpha", "m-beta", "m-azure", "m-fallback"]
    assert all(m["object"] == "model" for m in reply.json["data"])

    reply = gateway.request("GET", "/v1/models", key=keys.limited, key_header="x-api-key")
    assert reply.status == 200, reply
    assert [m["id"] for m in reply.json["data"]] == ["m-alpha"]


def test_failing_backend_falls_over_to_next_priority_with_its_own_rewrite(gateway, fakes, keys):
    marker, reply = gateway.chat("m-fallback", keys.all, headers={"x-fake-fail": "alpha"})
    assert reply.status == 200, reply
    assert reply.headers.get("x-fake-provider") == "beta"
    first = fakes.alpha.find(marker)
    assert first.json["model"] == "fb-alpha"
    assert first.header("authorization") == f"Bearer {ALPHA_SECRET}"
    second = fakes.beta.find(marker)
    assert second.path == "/compat/v1/chat/completions"
    assert second.json["model"] == "fb-beta"
    assert second.header("authorization") == f"Bearer {BETA_SECRET}"
    assert_framed_by_length(second)
    assert_private_headers_gone(second, keys)


def test_no_ext_proc_failures_at_envoy(gateway, keys):
    gateway.chat("m-alpha", keys.all)
    gateway.chat("m-fallback", keys.all)
    stats = gateway.envoy_stats("ext_proc")
    bad = {
        name: value
        for name, value in stats.items()
        if value
        and any(s in name for s in ("streams_failed", "failure_mode_allowed", "message_timeouts", "spurious_msgs", "rejected_header_mutations"))
    }
    assert not bad, f"ext_proc failure counters at Envoy: {bad}\nall: {stats}"
    # Both filters ran: the router-level one in the listener, the upstream one in the cluster of
    # the model with two backends. The one-backend model's request took its direct cluster, which
    # has no upstream filter.
    assert stats.get("http.tollgate.ext_proc.router.streams_started", 0) >= 2, stats
    assert stats.get("cluster.tollgate_model_m-fallback.ext_proc.upstream.streams_started", 0) > 0, stats
    assert stats.get("cluster.tollgate_model_m-alpha.ext_proc.upstream.streams_started", 0) == 0, stats
    assert gateway.envoy_stats("tollgate_direct_m-alpha.upstream_rq_total").get(
        "cluster.tollgate_direct_m-alpha.upstream_rq_total", 0
    ) > 0
    gateway.assert_alive()

"""Every error the gateway answers, with its status and the client's JSON shape: OpenAI's
`{"error":{"message","type","param","code"}}`, and Anthropic's `{"type":"error","error":{"type","message"}}`
on /v1/messages. None of these requests may reach a provider."""

from __future__ import annotations

import http.client
import json
import uuid

import pytest

import harness
from conftest import MAX_BODY_BYTES
from gateway_stack import Reply

pytestmark = pytest.mark.timeout(120)

LEAKS = ("/tmp", "swift", "Swift", "ext_proc", "envoy", "Envoy", "backend", "stack", "Error(")


def assert_openai_error(reply, status: int, code: str | None = None, error_type: str | None = None) -> dict:
    assert reply.status == status, reply
    assert reply.headers.get("content-type", "").startswith("application/json"), reply
    error = reply.json["error"]
    assert set(error) >= {"message", "type", "param", "code"}, error
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code, error
    if error_type is not None:
        assert error["type"] == error_type, error
    for leak in LEAKS:
        assert leak not in error["message"], f"internal detail {leak!r} in {error['message']!r}"
    return error


def assert_anthropic_error(reply, status: int, error_type: str) -> dict:
    assert reply.status == status, reply
    assert reply.headers.get("content-type", "").startswith("application/json"), reply
    body = reply.json
    assert body["type"] == "error", body
    assert body["error"]["type"] == error_type, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    for leak in LEAKS:
        assert leak not in body["error"]["message"]
    return body


@pytest.fixture
def nothing_reaches_providers(fakes):
    """Each test puts a marker in its bodies; none may arrive at any provider."""
    marker = uuid.uuid4().hex
    yield marker
    for fake in fakes.all():
        assert not fake.all_with(marker), f"{fake.name} received a request that should have been refused"


def chat_body(model, marker):
    return {"model": model, "messages": [{"role": "user", "content": marker}]}


def test_missing_key_is_401(gateway, nothing_reaches_providers):
    reply = gateway.request("POST", "/v1/chat/completions", chat_body("m-alpha", nothing_reaches_providers))
    assert_openai_error(reply, 401, code="invalid_api_key")
    assert_openai_error(gateway.request("GET", "/v1/models"), 401, code="invalid_api_key")


@pytest.mark.parametrize("key_header", ["authorization", "x-api-key"])
def test_unknown_key_is_401(gateway, nothing_reaches_providers, key_header):
    reply = gateway.request(
        "POST", "/v1/chat/completions", chat_body("m-alpha", nothing_reaches_providers), key="tg-not-a-key", key_header=key_header
    )
    assert_openai_error(reply, 401, code="invalid_api_key")


def test_model_not_allowed_for_key_is_403(gateway, keys, nothing_reaches_providers):
    reply = gateway.request("POST", "/v1/chat/completions", chat_body("m-beta", nothing_reaches_providers), key=keys.limited)
    assert_openai_error(reply, 403, code="model_not_allowed")


def test_unknown_model_is_404_model_not_found(gateway, keys, nothing_reaches_providers):
    reply = gateway.request("POST", "/v1/chat/completions", chat_body("no-such-model", nothing_reaches_providers), key=keys.all)
    assert_openai_error(reply, 404, code="model_not_found")


def test_malformed_json_is_400(gateway, keys, nothing_reaches_providers):
    reply = gateway.request(
        "POST", "/v1/chat/completions", '{"model": "m-alpha", "messages": [' + nothing_reaches_providers, key=keys.all
    )
    assert_openai_error(reply, 400, error_type="invalid_request_error")


def test_missing_model_is_400(gateway, keys, nothing_reaches_providers):
    reply = gateway.request(
        "POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": nothing_reaches_providers}]}, key=keys.all
    )
    assert_openai_error(reply, 400, error_type="invalid_request_error")


def test_body_over_the_cap_is_413(gateway, keys, nothing_reaches_providers):
    padding = "x" * (MAX_BODY_BYTES + 1024)
    reply = gateway.request("POST", "/v1/chat/completions", chat_body("m-alpha", nothing_reaches_providers + padding), key=keys.all)
    assert_openai_error(reply, 413)


def test_body_just_under_the_cap_goes_through(gateway, fakes, keys):
    marker = uuid.uuid4().hex
    body = chat_body("m-alpha", marker)
    body["messages"][0]["content"] += "y" * (MAX_BODY_BYTES - 200)
    reply = gateway.request("POST", "/v1/chat/completions", body, key=keys.all)
    assert reply.status == 200, reply
    received = fakes.alpha.find(marker)
    assert received.header("content-length") == str(len(received.body))


def test_unknown_path_is_404(gateway, keys, nothing_reaches_providers):
    reply = gateway.request("POST", "/v1/unknown", chat_body("m-alpha", nothing_reaches_providers), key=keys.all)
    assert_openai_error(reply, 404)
    reply = gateway.request("GET", "/", key=keys.all)
    assert_openai_error(reply, 404)


def test_messages_endpoint_answers_in_anthropic_shape(gateway, keys, nothing_reaches_providers):
    body = {"model": "m-alpha", "max_tokens": 10, "messages": [{"role": "user", "content": nothing_reaches_providers}]}
    assert_anthropic_error(gateway.request("POST", "/v1/messages", body), 401, "authentication_error")
    assert_anthropic_error(
        gateway.request("POST", "/v1/messages", body, key="tg-wrong", key_header="x-api-key"), 401, "authentication_error"
    )
    assert_anthropic_error(
        gateway.request("POST", "/v1/messages", {**body, "model": "m-beta"}, key=keys.limited, key_header="x-api-key"),
        403,
        "permission_error",
    )
    assert_anthropic_error(
        gateway.request("POST", "/v1/messages", {**body, "model": "nope"}, key=keys.all, key_header="x-api-key"),
        404,
        "not_found_error",
    )
    assert_anthropic_error(
        gateway.request("POST", "/v1/messages", "{not json " + nothing_reaches_providers, key=keys.all), 400, "invalid_request_error"
    )
    del body["model"]
    assert_anthropic_error(gateway.request("POST", "/v1/messages", body, key=keys.all), 400, "invalid_request_error")
    padding = "x" * (MAX_BODY_BYTES + 1024)
    big = {"model": "m-alpha", "max_tokens": 10, "messages": [{"role": "user", "content": nothing_reaches_providers + padding}]}
    reply = gateway.request("POST", "/v1/messages", big, key=keys.all)
    assert reply.status == 413, reply
    assert reply.json["type"] == "error"


def test_unreachable_provider_is_a_json_503_without_internals(make_gateway, keys):
    closed = harness.free_port(40000, 48999)  # nothing listens there

    def add_down_providers(config):
        config["providers"] += [
            {"name": "down", "schema": "openai", "base_url": f"http://127.0.0.1:{closed}/v1"},
            {"name": "down-anthropic", "schema": "anthropic", "base_url": f"http://127.0.0.1:{closed}"},
        ]
        config["models"] += [
            {"name": "m-down", "backends": [{"provider": "down", "model": "d"}]},
            {"name": "m-down-anthropic", "backends": [{"provider": "down-anthropic", "model": "d"}]},
        ]

    stack = make_gateway(add_down_providers)
    _, reply = stack.chat("m-down", keys.all)
    error = assert_openai_error(reply, 503, code="upstream_unavailable")
    assert "connect" not in error["message"] and "reset" not in error["message"], error

    body = {"model": "m-down-anthropic", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    reply = stack.request("POST", "/v1/messages", body, key=keys.all, key_header="x-api-key")
    assert_anthropic_error(reply, 503, "api_error")

    # Tollgate's own error answers are not rewritten by Envoy's local-reply mappers.
    assert_openai_error(stack.request("POST", "/v1/chat/completions", {"model": "m-down"}), 401, code="invalid_api_key")


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/messages"])
def test_chunked_body_past_envoys_buffer_is_a_json_413(gateway, keys, path, nothing_reaches_providers):
    """Past Envoy's buffer (the cap plus 1 MiB) Envoy answers before Tollgate sees the body; without a
    content-length Tollgate could not refuse it earlier, so Envoy's reply is rewritten into JSON."""
    body = json.dumps(
        {"model": "m-alpha", "max_tokens": 5, "messages": [{"role": "user", "content": nothing_reaches_providers + "z" * (3 * 1024 * 1024)}]}
    ).encode()
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=30)
    try:
        connection.putrequest("POST", path)
        connection.putheader("authorization", f"Bearer {keys.all}")
        connection.putheader("content-type", "application/json")
        connection.putheader("transfer-encoding", "chunked")
        connection.endheaders()
        try:
            for start in range(0, len(body), 65536):
                chunk = body[start : start + 65536]
                connection.send(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            connection.send(b"0\r\n\r\n")
        except OSError:
            pass  # Envoy may answer and close before the whole body is sent
        response = connection.getresponse()
        reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()
    if path == "/v1/messages":
        assert_anthropic_error(reply, 413, "request_too_large")
    else:
        assert_openai_error(reply, 413, code="request_too_large")

"""`tollgate serve --config FILE` for real: the product binary behind Envoy, and its config errors."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from grpc_h2 import OK, SERVING, health_check, parse_health_status
from harness import Probe, free_port, http_request


@pytest.mark.parametrize("transport", ["tcp", "unix"])
def test_tollgate_serve_without_gateway_sections_fails_closed(make_stack, tollgate_binary, transport):
    """A config with only `server:` and `log:` is no open proxy: with no keys, every request is
    refused by Tollgate (through Envoy) in the client's dialect, and none reaches the upstream."""
    stack = make_stack(
        transport,
        probe_options={"binary": tollgate_binary, "command": ["serve"], "config_file": True, "name": "tollgate"},
    )
    chat = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}).encode()
    json_type = {"content-type": "application/json"}
    refusals = [
        ("/v1/chat/completions", {}, 401, "openai"),  # no key
        ("/v1/chat/completions", {"authorization": "Bearer tg-not-a-key"}, 401, "openai"),
        ("/v1/messages", {"x-api-key": "tg-not-a-key"}, 401, "anthropic"),
        ("/through-tollgate", {"authorization": "Bearer tg-not-a-key"}, 404, "openai"),  # unknown path
    ]
    test_ids = []
    for path, headers, status, dialect in refusals:
        test_id, got, response_headers, body = stack.request("POST", path, body=chat, headers={**json_type, **headers})
        test_ids.append(test_id)
        assert got == status, (path, got, body)
        assert response_headers.get("content-type", "").startswith("application/json"), response_headers
        error = json.loads(body)
        if dialect == "openai":
            assert set(error["error"]) >= {"message", "type", "param", "code"}, error
        else:
            assert error["type"] == "error" and error["error"]["type"] == "authentication_error", error
    assert all(not stack.upstream.received(test_id) for test_id in test_ids), "a refused request reached the upstream"
    result = health_check("127.0.0.1", stack.probe.port)
    assert result.grpc_status == OK and parse_health_status(result.messages()[0]) == SERVING
    assert stack.probe.metric("tollgate_grpc_streams_total") >= len(refusals)
    stack.assert_no_ext_proc_failures()


def test_tollgate_version(tollgate_binary):
    run = subprocess.run([str(tollgate_binary), "version"], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0 and run.stdout.startswith("tollgate "), run


@pytest.mark.parametrize(
    "yaml, expected",
    [
        ('server:\n  listen: "127.0.0.1:{port}"\n  listne: "x"\n', "listne"),
        ('server:\n  listen: "127.0.0.1:{port}"\n  threads: -3\n', "threads"),
        ("log:\n  level: loud\n", ""),  # neither listen nor socket, and a bad level
    ],
    ids=["unknown-key", "bad-threads", "no-endpoint"],
)
def test_bad_config_exits_nonzero_with_a_message(tollgate_binary, workdir, yaml, expected):
    path = workdir / "bad.yaml"
    path.write_text(yaml.format(port=free_port()))
    run = subprocess.run(
        [str(tollgate_binary), "serve", "--config", str(path), "--admin", f"127.0.0.1:{free_port()}"],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    output = run.stdout + run.stderr
    assert run.returncode != 0, f"a bad config was accepted:\n{output}"
    assert expected in output, f"the error does not name {expected!r}:\n{output}"


def test_restart_on_the_same_ports_right_after_a_stop(probe_binary, workdir):
    """A restart must bind at once, although the connections the server closed sit in TIME_WAIT.

    (Found by this test: the admin listener once bound without SO_REUSEADDR, fixed in 22657c8.)
    """
    first = Probe(workdir, binary=probe_binary, name="first")
    for _ in range(3):  # admin requests: the server closes these connections (TIME_WAIT on its side)
        assert http_request("127.0.0.1", first.admin_port, "GET", "/readyz", timeout=5)[0] == 200
    assert health_check("127.0.0.1", first.port).grpc_status == OK
    assert first.stop() == 0
    started = time.monotonic()
    second = Probe(workdir, binary=probe_binary, name="second", port=first.port, admin_port=first.admin_port)
    try:
        assert health_check("127.0.0.1", second.port).grpc_status == OK
        assert time.monotonic() - started < 10
    finally:
        second.stop()

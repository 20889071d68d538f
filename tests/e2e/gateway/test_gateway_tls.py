"""https providers through the rendered config: Envoy opens TLS per provider (`transport_socket_matches`
keyed on the endpoint's metadata), sends the provider's host as SNI, and verifies the certificate
against the CA file and the provider's name; a certificate for another name is refused before any
request is sent."""

from __future__ import annotations

import shutil
import subprocess

import pytest

import harness
from fake_providers import FakeProvider
from gateway_stack import GatewayStack, new_key

pytestmark = pytest.mark.timeout(180)


def openssl(*args: str, cwd) -> None:
    run = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, f"openssl {' '.join(args)}:\n{run.stderr}"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A test CA, a server certificate for `localhost`, and one for another name, all signed by it."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    directory = tmp_path_factory.mktemp("tls")
    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=tollgate-e2e-ca", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory,
    )  # fmt: skip
    for name, san in (("localhost", "DNS:localhost"), ("wrong", "DNS:wrong.example")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={san[4:]}", cwd=directory)  # fmt: skip
        (directory / f"{name}.ext").write_text(
            f"subjectAltName={san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
        )
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=directory)  # fmt: skip
    return directory


def test_https_provider_gets_sni_and_a_verified_connection(tollgate, workdir, certificates):
    good = FakeProvider("secure", harness.free_port(40000, 48999), cert=str(certificates / "localhost.pem"),
                        key=str(certificates / "localhost.key"))  # fmt: skip
    wrong = FakeProvider("impostor", harness.free_port(40000, 48999), cert=str(certificates / "wrong.pem"),
                         key=str(certificates / "wrong.key"))  # fmt: skip
    stack = None
    try:
        key, digest = new_key()
        stack = GatewayStack(
            workdir,
            {
                "providers": [
                    {"name": "secure", "schema": "openai", "base_url": f"{good.base_url}/v1",
                     "credential": {"env": "SECURE_KEY"}},
                    {"name": "impostor", "schema": "openai", "base_url": f"{wrong.base_url}/v1",
                     "credential": {"env": "SECURE_KEY"}},
                ],  # fmt: skip
                "models": [
                    {"name": "m-secure", "backends": [{"provider": "secure", "model": "s-up"}]},
                    {"name": "m-impostor", "backends": [{"provider": "impostor", "model": "i-up"}]},
                ],
                "keys": [{"name": "k", "sha256": digest}],
            },
            env={"SECURE_KEY": "sk-secure"},
            ca_file=str(certificates / "ca.pem"),
        )
        marker, reply = stack.chat("m-secure", key)
        assert reply.status == 200, reply
        received = good.find(marker)
        assert received.path == "/v1/chat/completions"
        assert received.json["model"] == "s-up"
        assert received.header("authorization") == "Bearer sk-secure"
        assert received.header("host") == f"localhost:{good.port}"
        assert "localhost" in good.server_names, good.server_names

        marker, reply = stack.chat("m-impostor", key)
        assert reply.status == 503, reply
        assert not wrong.all_with(marker), "a request went to a server whose certificate names another host"
        # One backend: the request took the model's direct cluster, which has the same TLS settings.
        stats = stack.envoy_stats("tollgate_direct_m-impostor")
        assert stats.get("cluster.tollgate_direct_m-impostor.ssl.fail_verify_san", 0) >= 1, stats
        stack.assert_alive()
    finally:
        if stack:
            stack.stop()
        good.close()
        wrong.close()

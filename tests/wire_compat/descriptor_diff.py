"""Compares our descriptors with Envoy's: everything we declare must exist there unchanged.

Only what decides the wire format and the generated names is compared: message, field, enum and
enum value names, field numbers, types, labels, type names, oneof membership and map entries.
Comments, options and json_name are not. Envoy may have more than we declare; that is the trim.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2


def _messages(prefix: str, messages) -> dict[str, descriptor_pb2.DescriptorProto]:
    found = {}
    for message in messages:
        full_name = f"{prefix}.{message.name}"
        found[full_name] = message
        found.update(_messages(full_name, message.nested_type))
    return found


def _enums(prefix: str, enums, messages) -> dict[str, descriptor_pb2.EnumDescriptorProto]:
    found = {f"{prefix}.{enum.name}": enum for enum in enums}
    for message in messages:
        found.update(_enums(f"{prefix}.{message.name}", message.enum_type, message.nested_type))
    return found


def _oneof_name(message: descriptor_pb2.DescriptorProto, field: descriptor_pb2.FieldDescriptorProto) -> str | None:
    if not field.HasField("oneof_index"):
        return None
    return message.oneof_decl[field.oneof_index].name


def _field_shape(message, field) -> tuple:
    return (
        field.number,
        descriptor_pb2.FieldDescriptorProto.Type.Name(field.type),
        descriptor_pb2.FieldDescriptorProto.Label.Name(field.label),
        field.type_name,
        _oneof_name(message, field),
        field.proto3_optional,
    )


def differences(
    ours: descriptor_pb2.FileDescriptorProto, theirs: descriptor_pb2.FileDescriptorProto
) -> list[str]:
    """Human-readable mismatches; empty when `ours` is a faithful subset of `theirs`."""
    problems = []
    if ours.package != theirs.package:
        problems.append(f"{ours.name}: package {ours.package!r} != Envoy's {theirs.package!r}")
    prefix = f".{ours.package}" if ours.package else ""
    our_messages = _messages(prefix, ours.message_type)
    their_messages = _messages(prefix, theirs.message_type)
    for name, message in our_messages.items():
        other = their_messages.get(name)
        if other is None:
            problems.append(f"message {name}: not in Envoy")
            continue
        if message.options.map_entry != other.options.map_entry:
            problems.append(f"message {name}: map_entry {message.options.map_entry} != {other.options.map_entry}")
        their_fields = {field.name: field for field in other.field}
        for field in message.field:
            their_field = their_fields.get(field.name)
            if their_field is None:
                problems.append(f"field {name}.{field.name}: not in Envoy")
                continue
            mine, envoys = _field_shape(message, field), _field_shape(other, their_field)
            if mine != envoys:
                problems.append(f"field {name}.{field.name}: ours {mine} != Envoy's {envoys}")
    our_enums = _enums(prefix, ours.enum_type, ours.message_type)
    their_enums = _enums(prefix, theirs.enum_type, theirs.message_type)
    for name, enum in our_enums.items():
        other = their_enums.get(name)
        if other is None:
            problems.append(f"enum {name}: not in Envoy")
            continue
        their_values = {value.name: value.number for value in other.value}
        for value in enum.value:
            if their_values.get(value.name) != value.number:
                problems.append(
                    f"enum value {name}.{value.name} = {value.number}: Envoy has {their_values.get(value.name)}"
                )
    their_services = {service.name: service for service in theirs.service}
    for service in ours.service:
        other = their_services.get(service.name)
        if other is None:
            problems.append(f"service {prefix}.{service.name}: not in Envoy")
            continue
        their_methods = {method.name: method for method in other.method}
        for method in service.method:
            their_method = their_methods.get(method.name)
            shape = lambda m: (m.input_type, m.output_type, m.client_streaming, m.server_streaming)  # noqa: E731
            if their_method is None or shape(method) != shape(their_method):
                problems.append(f"rpc {prefix}.{service.name}/{method.name}: differs from Envoy's")
    return problems

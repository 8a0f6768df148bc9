"""The stand-in provider: tfplugin6 over gRPC, started the go-plugin way.

Terraform starts the plugin with ``TF_PLUGIN_MAGIC_COOKIE`` and
``PLUGIN_CLIENT_CERT`` in its environment and reads one handshake line from
its stdout::

    1|6|unix|<socket path>|grpc|<base64 DER server certificate, no padding>

The server presents a fresh self-signed certificate (terraform pins it from
the handshake line).  Terraform's client certificate uses P-521, which grpcio
cannot verify, so no client certificate is required; the socket lives in a
0700 folder instead.  Beside the provider service the process serves
go-plugin's ``GRPCController`` (whose ``Shutdown`` ends the process at once;
otherwise terraform waits two seconds per provider), ``GRPCStdio`` and the
gRPC health check.
"""

from __future__ import annotations

import base64
import datetime
import os
import shutil
import signal
import sys
import tempfile
import threading
import traceback
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from tf.gen import grpc_controller_pb2, grpc_controller_pb2_grpc, grpc_stdio_pb2_grpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc

from archgen.tfprovider import PROVIDERS, cty
from archgen.tfprovider.schema import (
    Block,
    SchemaIndex,
    build_response,
    load_provider_schema,
)

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CORE_PROTOCOL_VERSION = 1
PLUGIN_PROTOCOL_VERSION = 6


def _error(summary: str, detail: str = "", attribute: list[str] | None = None) -> pb.Diagnostic:
    diag = pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=summary, detail=detail)
    for step in attribute or []:
        diag.attribute.steps.append(pb.AttributePath.Step(attribute_name=step))
    return diag


def _dv(value: Any, ty: Any) -> pb.DynamicValue:
    return pb.DynamicValue(msgpack=cty.encode(value, ty))


def _decode(dv: pb.DynamicValue, ty: Any) -> Any:
    if dv.msgpack:
        return cty.decode(dv.msgpack, ty)
    if dv.json:
        import json

        return cty.from_json(json.loads(dv.json), ty)
    return None


def mark_unknown(block: Block, value: dict[str, Any]) -> dict[str, Any]:
    """Planned state: every computed attribute still null becomes unknown."""
    out = dict(value)
    for name, attr in block.attributes.items():
        if attr.computed and out.get(name) is None:
            out[name] = cty.UNKNOWN
    for name, nb in block.block_types.items():
        current = out.get(name)
        if current is None or current is cty.UNKNOWN:
            continue
        if nb.nesting in ("single", "group"):
            out[name] = mark_unknown(nb.block, current)
        elif nb.nesting == "map":
            out[name] = {k: mark_unknown(nb.block, v) for k, v in current.items()}
        else:
            out[name] = [mark_unknown(nb.block, v) if v is not cty.UNKNOWN else v for v in current]
    return out


def block_count_errors(block: Block, value: Any, path: list[str]) -> list[pb.Diagnostic]:
    """Too few or too many nested blocks (list and set nesting)."""
    diags: list[pb.Diagnostic] = []
    if not isinstance(value, dict):
        return diags
    for name, nb in block.block_types.items():
        current = value.get(name)
        if current is cty.UNKNOWN:
            continue
        if nb.nesting in ("list", "set"):
            items = current or []
            known = all(item is not cty.UNKNOWN for item in items)
            if nb.max_items and len(items) > nb.max_items and known:
                diags.append(
                    _error(
                        f"Too many {name} blocks",
                        f'No more than {nb.max_items} "{name}" blocks are allowed',
                        path + [name],
                    )
                )
            if nb.min_items and len(items) < nb.min_items and known:
                diags.append(
                    _error(
                        f"Insufficient {name} blocks",
                        f'At least {nb.min_items} "{name}" blocks are required.',
                        path + [name],
                    )
                )
            for item in items:
                diags.extend(block_count_errors(nb.block, item, path + [name]))
        elif nb.nesting in ("single", "group") and isinstance(current, dict):
            diags.extend(block_count_errors(nb.block, current, path + [name]))
    return diags


class ProviderService(tfplugin_pb2_grpc.ProviderServicer):
    """The tfplugin6 ``Provider`` service of one stand-in provider."""

    def __init__(
        self, name: str, response: pb.GetProviderSchema.Response, schema_bytes: bytes | None = None
    ) -> None:
        self.name = name
        self.response = response
        self.index = SchemaIndex(response)
        self.region: str | None = None  # from ConfigureProvider
        self._schema_bytes = schema_bytes

    # -- metadata and schema ------------------------------------------------

    def GetMetadata(self, request, context):  # noqa: N802 - gRPC names
        resp = pb.GetMetadata.Response()
        resp.server_capabilities.CopyFrom(self.response.server_capabilities)
        for name in self.response.resource_schemas:
            resp.resources.add(type_name=name)
        for name in self.response.data_source_schemas:
            resp.data_sources.add(type_name=name)
        return resp

    def GetProviderSchema(self, request, context):  # noqa: N802
        if self._schema_bytes is None:
            self._schema_bytes = self.response.SerializeToString()
        return self._schema_bytes

    def GetFunctions(self, request, context):  # noqa: N802
        return pb.GetFunctions.Response()

    def CallFunction(self, request, context):  # noqa: N802
        return pb.CallFunction.Response(error=pb.FunctionError(text=f"no function {request.name!r}"))

    # -- provider -----------------------------------------------------------

    def ValidateProviderConfig(self, request, context):  # noqa: N802
        return pb.ValidateProviderConfig.Response()

    def ConfigureProvider(self, request, context):  # noqa: N802
        block = self.index.provider()
        try:
            config = _decode(request.config, block.implied_type()) or {}
        except Exception:  # noqa: BLE001 - the configuration is accepted as is
            config = {}
        region = config.get("region") if isinstance(config, dict) else None
        if isinstance(region, str) and region:
            self.region = region
        return pb.ConfigureProvider.Response()

    def StopProvider(self, request, context):  # noqa: N802
        return pb.StopProvider.Response()

    # -- validation ---------------------------------------------------------

    def _validate(self, block: Block | None, type_name: str, dv: pb.DynamicValue) -> list[pb.Diagnostic]:
        if block is None:
            return [_error("Unsupported type", f"The provider {self.name} does not support {type_name!r}.")]
        value = _decode(dv, block.implied_type())
        return block_count_errors(block, value, [])

    def ValidateResourceConfig(self, request, context):  # noqa: N802
        diags = self._validate(self.index.resource(request.type_name), request.type_name, request.config)
        return pb.ValidateResourceConfig.Response(diagnostics=diags)

    def ValidateDataResourceConfig(self, request, context):  # noqa: N802
        diags = self._validate(self.index.data_source(request.type_name), request.type_name, request.config)
        return pb.ValidateDataResourceConfig.Response(diagnostics=diags)

    # -- resources ----------------------------------------------------------

    def UpgradeResourceState(self, request, context):  # noqa: N802
        block = self.index.resource(request.type_name)
        if block is None:
            return pb.UpgradeResourceState.Response(diagnostics=[_error("Unsupported resource type", request.type_name)])
        import json

        ty = block.implied_type()
        raw = json.loads(request.raw_state.json) if request.raw_state.json else None
        value = cty.from_json(raw, ty)
        return pb.UpgradeResourceState.Response(upgraded_state=_dv(value, ty))

    def ReadResource(self, request, context):  # noqa: N802
        return pb.ReadResource.Response(new_state=request.current_state, private=request.private)

    def PlanResourceChange(self, request, context):  # noqa: N802
        block = self.index.resource(request.type_name)
        if block is None:
            return pb.PlanResourceChange.Response(diagnostics=[_error("Unsupported resource type", request.type_name)])
        ty = block.implied_type()
        proposed = _decode(request.proposed_new_state, ty)
        if proposed is None:  # destroy
            return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)
        from archgen.tfprovider import apply

        prior = _decode(request.prior_state, ty)
        replace = apply.requires_replace(request.type_name, prior, proposed)
        planned = mark_unknown(block, proposed) if prior is None or replace else proposed
        response = pb.PlanResourceChange.Response(
            planned_state=_dv(planned, ty),
            planned_private=request.prior_private,
            legacy_type_system=True,
        )
        for name in replace:
            response.requires_replace.add().steps.append(pb.AttributePath.Step(attribute_name=name))
        return response

    def ApplyResourceChange(self, request, context):  # noqa: N802
        """Planned state made known (see archgen.tfprovider.apply): nothing is created in AWS."""
        from archgen.tfprovider import apply, datasources

        block = self.index.resource(request.type_name)
        if block is None:
            return pb.ApplyResourceChange.Response(diagnostics=[_error("Unsupported resource type", request.type_name)])
        ty = block.implied_type()
        planned = _decode(request.planned_state, ty)
        if planned is None:  # destroy
            return pb.ApplyResourceChange.Response(new_state=request.planned_state)
        try:
            state = apply.apply(request.type_name, block, planned, datasources.ReadContext(self.region))
        except apply.ApplyError as exc:
            attr = [exc.attribute] if exc.attribute else None
            return pb.ApplyResourceChange.Response(diagnostics=[_error(exc.summary, exc.detail, attr)])
        return pb.ApplyResourceChange.Response(
            new_state=_dv(state, ty), private=request.planned_private, legacy_type_system=True
        )

    def ImportResourceState(self, request, context):  # noqa: N802
        return pb.ImportResourceState.Response(
            diagnostics=[_error("The archgen stand-in provider cannot import", request.type_name)]
        )

    def MoveResourceState(self, request, context):  # noqa: N802
        return pb.MoveResourceState.Response(
            diagnostics=[_error("The archgen stand-in provider cannot move state", request.target_type_name)]
        )

    # -- data sources -------------------------------------------------------

    def ReadDataSource(self, request, context):  # noqa: N802
        from archgen.tfprovider import datasources

        block = self.index.data_source(request.type_name)
        if block is None:
            return pb.ReadDataSource.Response(diagnostics=[_error("Unsupported data source", request.type_name)])
        ty = block.implied_type()
        config = _decode(request.config, ty) or {}
        try:
            state = datasources.read(request.type_name, block, config, datasources.ReadContext(self.region))
        except datasources.DataSourceError as exc:
            attr = [exc.attribute] if exc.attribute else None
            return pb.ReadDataSource.Response(diagnostics=[_error(exc.summary, exc.detail, attr)])
        except Exception as exc:  # noqa: BLE001 - report, do not crash the plugin
            return pb.ReadDataSource.Response(
                diagnostics=[_error(f"Error reading {request.type_name}", f"{exc}\n{traceback.format_exc()}")]
            )
        return pb.ReadDataSource.Response(state=_dv(state, ty))


class ControllerService(grpc_controller_pb2_grpc.GRPCControllerServicer):
    def __init__(self, done: threading.Event) -> None:
        self.done = done

    def Shutdown(self, request, context):  # noqa: N802
        self.done.set()
        return grpc_controller_pb2.Empty()


class StdioService(grpc_stdio_pb2_grpc.GRPCStdioServicer):
    def StreamStdio(self, request, context):  # noqa: N802
        return iter(())


# method name -> (request message, response message) of tfplugin6.Provider
_PROVIDER_METHODS = {
    name: (getattr(pb, name).Request, getattr(pb, name).Response)
    for name in (
        "GetMetadata",
        "GetProviderSchema",
        "ValidateProviderConfig",
        "ValidateResourceConfig",
        "ValidateDataResourceConfig",
        "UpgradeResourceState",
        "ConfigureProvider",
        "ReadResource",
        "PlanResourceChange",
        "ApplyResourceChange",
        "ImportResourceState",
        "MoveResourceState",
        "ReadDataSource",
        "GetFunctions",
        "CallFunction",
        "StopProvider",
    )
}


def _serialize(message: Any) -> bytes:
    # GetProviderSchema answers with bytes serialized once (megabytes for aws)
    return message if isinstance(message, bytes) else message.SerializeToString()


def _provider_handler(service: ProviderService) -> grpc.GenericRpcHandler:
    handlers = {
        name: grpc.unary_unary_rpc_method_handler(
            getattr(service, name),
            request_deserializer=request.FromString,
            response_serializer=_serialize,
        )
        for name, (request, _response) in _PROVIDER_METHODS.items()
    }
    return grpc.method_handlers_generic_handler("tfplugin6.Provider", handlers)


def _health_handler() -> grpc.GenericRpcHandler:
    # grpc.health.v1.Health/Check answering SERVING (status field 1 = 1),
    # without a dependency on grpcio-health-checking.
    def check(request: bytes, context: Any) -> bytes:
        return b"\x08\x01"

    handler = grpc.unary_unary_rpc_method_handler(
        check, request_deserializer=lambda b: b, response_serializer=lambda b: b
    )
    return grpc.method_handlers_generic_handler("grpc.health.v1.Health", {"Check": handler})


def _certificate() -> tuple[bytes, bytes, bytes]:
    """A self-signed certificate for localhost: (key PEM, cert PEM, cert DER)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
        ]
    )
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(seconds=30))
        .not_valid_after(now + datetime.timedelta(hours=262980))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.DER)


def _pem_to_der(pem: bytes) -> bytes:
    body = b"".join(line for line in pem.splitlines() if line and not line.startswith(b"-----"))
    return base64.b64decode(body)


def write_tls_files(tls_dir: Path) -> None:
    """Write a certificate for :func:`serve` to reuse (``key.pem``, ``cert.pem``).

    Generating a key costs each provider process tens of milliseconds (and
    the import of ``cryptography``); terraform starts several per command.
    """
    key_pem, cert_pem, _ = _certificate()
    tls_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_path = tls_dir / "key.pem"
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key_pem)
    (tls_dir / "cert.pem").write_bytes(cert_pem)


def _load_tls(tls_dir: Path | None) -> tuple[bytes, bytes, bytes]:
    if tls_dir is not None:
        try:
            key_pem = (tls_dir / "key.pem").read_bytes()
            cert_pem = (tls_dir / "cert.pem").read_bytes()
            return key_pem, cert_pem, _pem_to_der(cert_pem)
        except OSError:
            pass
    return _certificate()


def load_response(
    provider: str, schema_cache: Path | None = None
) -> tuple[pb.GetProviderSchema.Response, bytes | None]:
    """The schema response (and its bytes when read from a cache file), from
    the cache file if given, else built from the bundled data."""
    if schema_cache is not None and schema_cache.is_file():
        data = schema_cache.read_bytes()
        return pb.GetProviderSchema.Response.FromString(data), data
    return build_response(load_provider_schema(provider)), None


def serve(provider: str, schema_cache: Path | None = None, tls_dir: Path | None = None) -> int:
    """Run the plugin until terraform shuts it down; returns the exit status."""
    if provider not in PROVIDERS:
        print(f"unknown provider {provider!r}; expected one of {', '.join(PROVIDERS)}", file=sys.stderr)
        return 2
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        print(
            "This binary is a plugin. These are not meant to be executed directly.\n"
            "Please execute the program that consumes these plugins, which will\n"
            "load any plugins automatically",
            file=sys.stderr,
        )
        return 1
    versions = os.environ.get("PLUGIN_PROTOCOL_VERSIONS", str(PLUGIN_PROTOCOL_VERSION)).split(",")
    if str(PLUGIN_PROTOCOL_VERSION) not in versions:
        print(f"terraform offers plugin protocols {versions}; this plugin speaks 6 only", file=sys.stderr)
        return 1

    response, schema_bytes = load_response(provider, schema_cache)
    done = threading.Event()
    # Like go-plugin servers: ignore interrupts (terraform handles them and
    # calls Shutdown), stop on SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    sock_dir = tempfile.mkdtemp(prefix="archgen-tfp-")  # mode 0700
    sock_path = os.path.join(sock_dir, "plugin.sock")
    key_pem, cert_pem, cert_der = _load_tls(tls_dir)
    creds = grpc.ssl_server_credentials([(key_pem, cert_pem)], root_certificates=None, require_client_auth=False)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8),
        options=[("grpc.max_send_message_length", 256 << 20), ("grpc.max_receive_message_length", 256 << 20)],
    )
    server.add_generic_rpc_handlers((_provider_handler(ProviderService(provider, response, schema_bytes)),))
    grpc_controller_pb2_grpc.add_GRPCControllerServicer_to_server(ControllerService(done), server)
    grpc_stdio_pb2_grpc.add_GRPCStdioServicer_to_server(StdioService(), server)
    server.add_generic_rpc_handlers((_health_handler(),))
    server.add_secure_port(f"unix:{sock_path}", creds)
    server.start()
    try:
        cert_b64 = base64.b64encode(cert_der).decode().rstrip("=")
        sys.stdout.write(
            f"{CORE_PROTOCOL_VERSION}|{PLUGIN_PROTOCOL_VERSION}|unix|{sock_path}|grpc|{cert_b64}\n"
        )
        sys.stdout.flush()
        done.wait()
        server.stop(0.2).wait(1)
    finally:
        shutil.rmtree(sock_dir, ignore_errors=True)
    return 0

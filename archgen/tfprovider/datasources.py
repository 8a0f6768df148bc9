"""Data sources the stand-in answers with real or plausible values.

Terraform requires a data source's result to be wholly known, so every
computed attribute left null by the configuration gets a value: the data
sources below compute theirs for real (the IAM policy JSON, the zip archive
and its hashes) or return fixed placeholders (account, region, partition);
any other data source gets a plausible placeholder of the right type.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import stat
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from archgen.tfprovider import cty
from archgen.tfprovider.schema import Block

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

_REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "Europe (Ireland)",
    "eu-central-1": "Europe (Frankfurt)",
}


class DataSourceError(Exception):
    """A data source cannot be read; ``attribute`` names the culprit."""

    def __init__(self, summary: str, detail: str = "", attribute: str | None = None) -> None:
        super().__init__(summary)
        self.summary = summary
        self.detail = detail
        self.attribute = attribute


class ReadContext:
    """What a data source may need beyond its configuration."""

    def __init__(self, region: str | None = None) -> None:
        self.region = region or DEFAULT_REGION


# --------------------------------------------------------------------------
# placeholders


def placeholder(ty: Any, name: str, type_name: str, ctx: ReadContext) -> Any:
    """A plausible, wholly known value of type ``ty`` for attribute ``name``."""
    if ty == "string":
        if name == "arn" or name.endswith("_arn"):
            service = type_name.split("_")[1] if "_" in type_name else "aws"
            return f"arn:aws:{service}:{ctx.region}:{ACCOUNT_ID}:{type_name}/archgen-stub"
        if name in ("account_id", "owner_id"):
            return ACCOUNT_ID
        if name == "region":
            return ctx.region
        if name in ("json", "policy") or name.endswith("_json"):
            return "{}"
        return f"{type_name}-{name}-stub"
    if ty == "number":
        return 0
    if ty == "bool":
        return False
    if ty == "dynamic":
        return None
    kind = ty[0]
    if kind in ("list", "set", "tuple"):
        if kind == "tuple":
            return [placeholder(t, name, type_name, ctx) for t in ty[1]]
        return []
    if kind == "map":
        return {}
    if kind == "object":
        return {k: placeholder(t, k, type_name, ctx) for k, t in ty[1].items()}
    return None


def fill_known(block: Block, value: dict[str, Any], type_name: str, ctx: ReadContext) -> dict[str, Any]:
    """Give every computed null (or unknown) attribute a placeholder value."""
    out = dict(value)
    for name, attr in block.attributes.items():
        current = out.get(name)
        if current is cty.UNKNOWN or (current is None and attr.computed):
            out[name] = placeholder(attr.type, name, type_name, ctx) if attr.computed else None
    for name, nb in block.block_types.items():
        current = out.get(name)
        if current is None or current is cty.UNKNOWN:
            continue
        if nb.nesting in ("single", "group"):
            out[name] = fill_known(nb.block, current, type_name, ctx)
        elif nb.nesting == "map":
            out[name] = {k: fill_known(nb.block, v, type_name, ctx) for k, v in current.items()}
        else:
            out[name] = [fill_known(nb.block, v, type_name, ctx) for v in current]
    return out


# --------------------------------------------------------------------------
# aws


def _caller_identity(cfg: dict[str, Any], ctx: ReadContext) -> dict[str, Any]:
    return {
        "id": ACCOUNT_ID,
        "account_id": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/archgen-plan",
        "user_id": "AIDAARCHGENPLANSTUB01",
    }


def _region(cfg: dict[str, Any], ctx: ReadContext) -> dict[str, Any]:
    region = cfg.get("region") or cfg.get("name") or cfg.get("id") or ctx.region
    return {
        "id": region,
        "name": region,
        "region": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
        "description": _REGION_NAMES.get(region, region),
    }


def _partition(cfg: dict[str, Any], ctx: ReadContext) -> dict[str, Any]:
    return {
        "id": "aws",
        "partition": "aws",
        "dns_suffix": "amazonaws.com",
        "reverse_dns_prefix": "com.amazonaws",
    }


def _availability_zones(cfg: dict[str, Any], ctx: ReadContext) -> dict[str, Any]:
    letters = "abc"
    return {
        "id": ctx.region,
        "names": [f"{ctx.region}{c}" for c in letters],
        "zone_ids": [f"use1-az{i}" for i in range(1, len(letters) + 1)],
        "group_names": [ctx.region],
    }


def _string_or_list(values: list[str], *, reverse_sort: bool) -> Any:
    items = sorted(set(values), reverse=reverse_sort)
    return items[0] if len(items) == 1 else items


def _principals(blocks: list[dict[str, Any]] | None) -> Any:
    out: dict[str, list[str]] = {}
    for block in blocks or []:
        ptype = block.get("type") or ""
        out.setdefault(ptype, []).extend(block.get("identifiers") or [])
    if not out:
        return None
    if list(out) == ["*"] and set(out["*"]) == {"*"}:
        return "*"
    return {k: _string_or_list(v, reverse_sort=True) for k, v in out.items()}


def _statement(stmt: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if stmt.get("sid"):
        out["Sid"] = stmt["sid"]
    out["Effect"] = stmt.get("effect") or "Allow"
    for key, name in (
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ):
        values = stmt.get(key)
        if values:
            out[name] = _string_or_list(values, reverse_sort=True)
    for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _principals(stmt.get(key))
        if principals is not None:
            out[name] = principals
    conditions: dict[str, dict[str, Any]] = {}
    for cond in stmt.get("condition") or []:
        values = list(cond.get("values") or [])
        conditions.setdefault(cond.get("test") or "", {})[cond.get("variable") or ""] = (
            values[0] if len(values) == 1 else values
        )
    if conditions:
        out["Condition"] = conditions
    return out


def _policy_document(cfg: dict[str, Any], ctx: ReadContext) -> dict[str, Any]:
    version = cfg.get("version") or "2012-10-17"
    doc: dict[str, Any] = {"Version": version}
    if cfg.get("policy_id"):
        doc["Id"] = cfg["policy_id"]
    statements: list[dict[str, Any]] = []

    def merge(stmts: list[dict[str, Any]]) -> None:
        for stmt in stmts:
            sid = stmt.get("Sid")
            for i, existing in enumerate(statements):
                if sid and existing.get("Sid") == sid:
                    statements[i] = stmt
                    break
            else:
                statements.append(stmt)

    for source in cfg.get("source_policy_documents") or []:
        try:
            merge(_as_list(json.loads(source).get("Statement")))
        except (ValueError, AttributeError) as exc:
            raise DataSourceError(
                "Invalid source policy document",
                f"source_policy_documents holds text that is not a policy document: {exc}",
                "source_policy_documents",
            ) from exc
    merge([_statement(s) for s in cfg.get("statement") or []])
    for override in cfg.get("override_policy_documents") or []:
        try:
            merge(_as_list(json.loads(override).get("Statement")))
        except (ValueError, AttributeError) as exc:
            raise DataSourceError(
                "Invalid override policy document",
                f"override_policy_documents holds text that is not a policy document: {exc}",
                "override_policy_documents",
            ) from exc
    doc["Statement"] = statements
    pretty = json.dumps(doc, indent=2)
    minified = json.dumps(doc, separators=(",", ":"))
    return {
        "id": str(zlib.crc32(pretty.encode())),
        "json": pretty,
        "minified_json": minified,
    }


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --------------------------------------------------------------------------
# archive

_ZIP_TIME = (2049, 1, 1, 0, 0, 0)


def _archive_entries(cfg: dict[str, Any]) -> list[tuple[str, bytes, int]]:
    entries: list[tuple[str, bytes, int]] = []
    excludes = set(cfg.get("excludes") or [])
    if cfg.get("source_content") is not None:
        filename = cfg.get("source_content_filename")
        if not filename:
            raise DataSourceError(
                "Missing source_content_filename",
                "source_content_filename must be set with source_content.",
                "source_content_filename",
            )
        entries.append((filename, cfg["source_content"].encode(), 0o644))
    for src in cfg.get("source") or []:
        entries.append((src.get("filename") or "", (src.get("content") or "").encode(), 0o644))
    if cfg.get("source_file"):
        path = Path(cfg["source_file"])
        if not path.is_file():
            raise DataSourceError(
                "Error archiving file",
                f"could not archive missing file: {cfg['source_file']}",
                "source_file",
            )
        entries.append((path.name, path.read_bytes(), stat.S_IMODE(path.stat().st_mode)))
    if cfg.get("source_dir"):
        root = Path(cfg["source_dir"])
        if not root.is_dir():
            raise DataSourceError(
                "Error archiving directory",
                f"could not archive missing directory: {cfg['source_dir']}",
                "source_dir",
            )
        for dirpath, dirnames, filenames in os.walk(root, followlinks=not cfg.get("exclude_symlink_directories")):
            dirnames.sort()
            for filename in sorted(filenames):
                path = Path(dirpath, filename)
                rel = path.relative_to(root).as_posix()
                if rel in excludes or path.as_posix() in excludes:
                    continue
                entries.append((rel, path.read_bytes(), stat.S_IMODE(path.stat().st_mode)))
    if not entries and not (cfg.get("source_dir") or cfg.get("source_file")):
        raise DataSourceError(
            "Nothing to archive",
            "one of source, source_content_filename (with source_content), source_file or source_dir must be set.",
        )
    return entries


def _archive_file(cfg: dict[str, Any], ctx: ReadContext) -> dict[str, Any]:
    kind = cfg.get("type") or "zip"
    output_path = cfg.get("output_path")
    if not output_path:
        raise DataSourceError("Missing output_path", "output_path must be set.", "output_path")
    entries = _archive_entries(cfg)
    mode_override = cfg.get("output_file_mode")
    buf = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data, mode in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                file_mode = int(mode_override, 8) if mode_override else mode
                info.external_attr = (stat.S_IFREG | file_mode) << 16
                zf.writestr(info, data)
    elif kind in ("tar.gz", "tgz"):
        import gzip
        import tarfile

        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as tf:
            for name, data, mode in sorted(entries):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mode = int(mode_override, 8) if mode_override else mode
                tf.addfile(info, io.BytesIO(data))
        buf.write(gzip.compress(raw.getvalue(), mtime=0))
    else:
        raise DataSourceError("Unsupported archive type", f"archive type {kind!r} is not supported.", "type")
    data = buf.getvalue()
    out = Path(output_path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise DataSourceError("Error writing archive", str(exc), "output_path") from exc
    sha1 = hashlib.sha1(data).hexdigest()
    return {
        "id": sha1,
        "output_size": len(data),
        "output_sha": sha1,
        "output_md5": hashlib.md5(data).hexdigest(),
        "output_sha256": hashlib.sha256(data).hexdigest(),
        "output_base64sha256": base64.b64encode(hashlib.sha256(data).digest()).decode(),
        "output_sha512": hashlib.sha512(data).hexdigest(),
        "output_base64sha512": base64.b64encode(hashlib.sha512(data).digest()).decode(),
    }


READERS: dict[str, Callable[[dict[str, Any], ReadContext], dict[str, Any]]] = {
    "aws_caller_identity": _caller_identity,
    "aws_region": _region,
    "aws_partition": _partition,
    "aws_availability_zones": _availability_zones,
    "aws_iam_policy_document": _policy_document,
    "archive_file": _archive_file,
}


def _more_readers() -> None:
    """Readers of further data sources, one module per area in archgen/tfprovider/readers/,
    each with a READERS dict: a pattern that reads a data source adds its own file there."""
    import importlib
    import pkgutil

    from archgen.tfprovider import readers

    for info in pkgutil.iter_modules(readers.__path__):
        module = importlib.import_module(f"{readers.__name__}.{info.name}")
        for name, reader in getattr(module, "READERS", {}).items():
            if name in READERS:
                raise ValueError(f"two readers for the data source {name}")
            READERS[name] = reader


_more_readers()


def read(type_name: str, block: Block, config: dict[str, Any], ctx: ReadContext) -> dict[str, Any]:
    """The state of data source ``type_name`` for ``config`` (wholly known)."""
    state = dict(config)
    reader = READERS.get(type_name)
    if reader is not None:
        for name, value in reader(config, ctx).items():
            attr = block.attributes.get(name)
            # Only fill what the schema has and the configuration left unset.
            if attr is not None and attr.computed and state.get(name) is None:
                state[name] = value
    return fill_known(block, state, type_name, ctx)

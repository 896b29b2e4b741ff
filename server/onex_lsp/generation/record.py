"""The generation record: what the generator wrote into a package, so an update can
rebuild the exact merge base later.

One JSON file per package (``layout.GENERATION_RECORD``). It holds the contract's text
and hash, its dialect, the generator and template versions, the block chosen for each
operation with its handler, the model classes, and every generated file's role and
sha256, with the generated texts themselves (zlib + base64: the base stays exact even
when the templates, ruff or the learned blocks changed since). Paths are relative to the
package folder, so the record holds wherever the package is opened from. Pure.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

from onex_lsp import __version__, layout
from onex_lsp.generation.existing import Reconciled
from onex_lsp.generation.package_plan import PackagePlan
from onex_lsp.generation.pipeline import GeneratedPackage

FORMAT = 1
# Bump when the templates change what they render: packages generated before then show a
# drift diagnostic ("templates newer") and ``update`` brings the new template text in.
TEMPLATE_VERSION = 1


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class OperationRecord:
    block: str
    handler: str  # the function or class name
    module: str  # package-relative path of its module
    learned: str | None = None  # the learned block id, when one was used


@dataclass(frozen=True)
class GenerationRecord:
    contract_text: str
    contract_sha256: str
    dialect: str
    generator: str
    template_version: int
    threshold: float
    operations: dict[str, OperationRecord]
    models: dict[str, str]  # role -> "path:Class" (package-relative)
    files: dict[str, tuple[str, str]]  # package-relative path -> (sha256, role)
    base: dict[str, str]  # package-relative path -> the text generated (verified)


def to_root(plan: PackagePlan, package_rel: str) -> str:
    """A package-relative path as a path relative to the plan's root."""
    return posixpath.normpath(str(plan.package / package_rel))


def to_package(plan: PackagePlan, root_rel: str) -> str:
    return posixpath.relpath(root_rel, str(plan.package))


def record_path(plan: PackagePlan) -> str:
    return layout.generation_record(str(plan.package))


def file_roles(plan: PackagePlan) -> dict[str, str]:
    """What each code file of the plan is (root-relative path -> role); other files are
    known by their package-relative path."""
    roles = {str(plan.input_model.module.path): "model:input"}
    roles[str(plan.output_model.module.path)] = "model:output"
    for ref in plan.request_models:
        roles.setdefault(str(ref.module.path), f"model:{ref.name}")
    for target in plan.handlers:
        roles[str(target.module.path)] = "handler:" + ",".join(target.operations)
    if plan.node is not None:
        roles[str(plan.node.module.path)] = "node"
    roles[str(plan.tests.path)] = "tests"
    return roles


def models_of(plan: PackagePlan) -> dict[str, str]:
    refs = {"input": plan.input_model, "output": plan.output_model}
    refs.update({ref.name: ref for ref in plan.request_models})
    return {
        role: f"{to_package(plan, str(ref.module.path))}:{ref.name}" for role, ref in refs.items()
    }


def build_record(
    generated: GeneratedPackage,
    files: Mapping[str, str],
    threshold: float,
    learned_ops: Mapping[str, str] | None = None,
) -> str:
    """The record of ``files`` (root-relative path -> generated text) of ``generated``."""
    plan, contract = generated.plan, generated.contract
    roles = file_roles(plan)
    operations = {}
    for choice in generated.choices:
        target = plan.handler_for(choice.operation)
        learned = (
            choice.learned.block_id if choice.learned else (learned_ops or {}).get(choice.operation)
        )
        operations[choice.operation] = {
            "block": choice.block, "handler": target.name,
            "module": to_package(plan, str(target.module.path)), "learned": learned,
        }  # fmt: skip
    texts = {to_package(plan, p): t for p, t in sorted(files.items())}
    data = {
        "format": FORMAT,
        "generator": f"onex-lsp {__version__}",
        "template_version": TEMPLATE_VERSION,
        "contract": {
            "sha256": sha256(contract.text),
            "dialect": contract.dialect.value,
            "text": contract.text,
        },
        "threshold": threshold,
        "operations": operations,
        "models": models_of(plan),
        "files": {
            to_package(plan, p): {"sha256": sha256(t), "role": roles.get(p, to_package(plan, p))}
            for p, t in sorted(files.items())
        },
        "base": _pack(texts),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _pack(texts: dict[str, str]) -> str:
    raw = json.dumps(texts, sort_keys=True).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def _unpack(blob: Any) -> dict[str, str]:
    try:
        texts = json.loads(zlib.decompress(base64.b64decode(str(blob), validate=True)))
    except (ValueError, zlib.error, TypeError):
        return {}
    if not isinstance(texts, dict):
        return {}
    return {str(k): v for k, v in texts.items() if isinstance(v, str)}


class RecordError(ValueError):
    """A record that cannot be read (damaged, or written by a newer onex-lsp)."""


def parse_record(text: str) -> GenerationRecord:
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise RecordError(f"not a format-{FORMAT} generation record")
        contract = data["contract"]
        files = {
            str(PurePosixPath(p)): (str(v["sha256"]), str(v["role"]))
            for p, v in data["files"].items()
        }
        base = {p: t for p, t in _unpack(data.get("base")).items() if p in files}
        return GenerationRecord(
            contract_text=str(contract["text"]),
            contract_sha256=str(contract["sha256"]),
            dialect=str(contract["dialect"]),
            generator=str(data["generator"]),
            template_version=int(data["template_version"]),
            threshold=float(data["threshold"]),
            operations={
                str(op): OperationRecord(
                    str(v["block"]),
                    str(v["handler"]),
                    str(v["module"]),
                    str(v["learned"]) if v.get("learned") else None,
                )
                for op, v in data["operations"].items()
            },
            models={str(k): str(v) for k, v in data["models"].items()},
            files=files,
            base={p: t for p, t in base.items() if sha256(t) == files[p][0]},
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RecordError(f"unreadable generation record: {exc}") from exc


def learned_in_module(text: str, module: str) -> list[str]:
    """The learned block ids a record says the handlers of ``module`` (package-relative)
    were generated from; none when the record cannot be read."""
    try:
        operations = json.loads(text).get("operations", {})
        return [
            str(v["learned"])
            for v in operations.values()
            if v.get("learned") and str(PurePosixPath(str(v.get("module")))) == module
        ]
    except (ValueError, AttributeError, TypeError, KeyError):
        return []


def with_record(
    generated: GeneratedPackage, reconciled: Reconciled, threshold: float, current: str | None
) -> Reconciled:
    """``reconciled`` plus the package's record (which replaces an old one): the files
    generation writes or finds identical; files kept as the user's are not recorded."""
    ours = {**reconciled.create, **reconciled.replace}
    ours.update({path: generated.files[path] for path in reconciled.unchanged})
    path = record_path(generated.plan)
    text = build_record(generated, ours, threshold)
    if current is None:
        return replace(reconciled, create={**reconciled.create, path: text})
    return replace(reconciled, replace={**reconciled.replace, path: text})

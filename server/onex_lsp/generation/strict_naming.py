"""``onex validate --strict``'s naming rule, applied to the classes a plan writes.

Its NamingConventionChecker rejects class names containing Manager, Handler, Service and
the like unless the file sits in a ``handlers/``, ``services/`` or ``errors/`` folder. A
class the contract names in such a place is reported on the contract, with the module
path that fixes it.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from onex_lsp.contract.model import Contract
from onex_lsp.generation.plan_model import ClassRef, HandlerTarget, PlanNote
from onex_lsp.positions import Range

# ``onex validate --strict`` (NamingConventionChecker) rejects class names containing these
# words, case-insensitively, unless the file sits in a folder named as below.
_ANTI_PATTERNS = (
    "Manager", "Handler", "Helper", "Utility", "Util", "Service", "Controller", "Processor",
    "Worker",
)  # fmt: skip
_EXEMPT_FOLDERS = frozenset({"handlers", "services", "errors"})


def _anti_pattern(name: str, path: PurePosixPath) -> str | None:
    if name.endswith(("Error", "Exception")) or _EXEMPT_FOLDERS & set(path.parts[:-1]):
        return None
    return next((word for word in _ANTI_PATTERNS if word.lower() in name.lower()), None)


def strict_naming_notes(
    contract: Contract,
    handlers: list[HandlerTarget],
    node: ClassRef | None,
    models: dict[str, ClassRef],
) -> list[PlanNote]:
    """Classes ``onex validate --strict`` would reject where the contract puts them."""
    notes: list[PlanNote] = []
    for target in handlers:
        word = (
            _anti_pattern(target.name, target.module.path)
            if target.style.value == "class"
            else None
        )
        if word is None:
            continue
        ref = next(op.handler for op in contract.operations if op.name in target.operations)
        data: dict[str, str] = {}
        if ref is not None and ref.module_range is not None and ref.module:
            moved = ".".join([*ref.module.split(".")[:-1], "handlers", ref.module.split(".")[-1]])
            data["replacement"] = f"{moved}:{ref.name}" if ref.module_range == ref.range else moved
        where = ref.module_range or ref.range if ref is not None else Range.point(0, 0)
        notes.append(
            PlanNote(
                "onex-validate-naming",
                f"`onex validate --strict` rejects the class name '{target.name}' (it contains "
                f"'{word}') outside a handlers/ folder; move its module into handlers/",
                where, data, warning=True,
            )
        )  # fmt: skip
    for cls in [node, *models.values()]:
        found = _anti_pattern(cls.name, cls.module.path) if cls is not None else None
        if cls is not None and found is not None:
            notes.append(
                PlanNote(
                    "onex-validate-naming",
                    f"`onex validate --strict` rejects the generated class name '{cls.name}' "
                    f"(it contains '{found}'); a node or model name without it avoids that",
                    _name_range(contract), warning=True,
                )
            )  # fmt: skip
    return notes


def _name_range(contract: Contract) -> Range:
    for key in ("name", "node_name", "contract_name", "node_id"):
        if key in contract.key_ranges:
            return contract.key_ranges[key]
    return Range.point(0, 0)

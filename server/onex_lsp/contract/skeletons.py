"""The text a missing top-level field's quick fix inserts: valid for every reader of the
field, with a value the user is expected to review (a version of 1.0.0, a budget of one
second). Carried on the diagnostic as ``data={"insert": text, "field": key}``."""

from __future__ import annotations

SKELETONS = {
    "contract_version": "contract_version:\n  major: 1\n  minor: 0\n  patch: 0\n",
    "node_version": "node_version:\n  major: 1\n  minor: 0\n  patch: 0\n",
    "node_type": "node_type: EFFECT_GENERIC  # or COMPUTE_GENERIC, REDUCER_GENERIC, "
    "ORCHESTRATOR_GENERIC\n",
    "description": 'description: ""\n',
    "performance": "performance:\n  single_operation_max_ms: 1000\n",
}


def skeleton(key: str) -> dict[str, str]:
    """The quick-fix data for a missing ``key`` (empty when there is no sensible default,
    e.g. a name or a model, which only the user can choose)."""
    text = SKELETONS.get(key)
    return {"insert": text, "field": key} if text else {}

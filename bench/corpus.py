"""A synthetic code base of ONEX node packages, for building big pattern stores.

Why synthetic: a store of 20k or 100k *distinct* learned blocks needs that many
structurally different blocks, and the generator's own packages all parameterise to the
same few templates. So: render real packages with the generator (``plan_package``) for a
few hundred synthetic contracts, then write them out in numbered "projects" where every
handler module carries its own house-style helpers (a guard, sometimes a try block,
a constant) and every contract its own description. Each handler file then gives a new
handler block, a new validation block and sometimes a new error-handling block; the
handler blocks' embedded texts (operation + contract description) are all different.

Deterministic: project ``p``, file ``i`` is always the same text, so a store can be
grown from a smaller one by learning the files after the ones it already holds.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from onex_lsp.contract.reader import load_contract
from onex_lsp.generation.package_plan import Location
from onex_lsp.generation.pipeline import plan_package

ENTITIES = [
    "user",
    "account",
    "invoice",
    "order",
    "payment",
    "shipment",
    "customer",
    "product",
    "review",
    "ticket",
    "session",
    "subscription",
    "refund",
    "coupon",
    "cart",
    "address",
    "device",
    "sensor",
    "reading",
    "alert",
    "incident",
    "report",
    "document",
    "contract",
    "lead",
    "campaign",
    "message",
    "notification",
    "booking",
    "reservation",
    "room",
    "flight",
    "passenger",
    "vehicle",
    "driver",
    "route",
    "parcel",
    "warehouse",
    "stock",
    "supplier",
    "purchase",
    "quote",
    "claim",
    "policy",
    "patient",
    "appointment",
    "prescription",
    "course",
    "student",
    "grade",
    "enrollment",
    "article",
    "comment",
    "post",
    "tag",
    "category",
    "asset",
    "license",
    "tenant",
    "workspace",
    "project",
    "task",
    "sprint",
    "release",
    "build",
    "deployment",
    "artifact",
    "metric",
    "event",
    "log",
    "trace",
    "span",
    "batch",
    "job",
    "schedule",
    "webhook",
    "token",
    "key",
    "secret",
    "credential",
    "profile",
    "preference",
    "feedback",
    "survey",
    "response",
    "vote",
    "badge",
    "reward",
    "wallet",
    "transfer",
    "ledger",
    "entry",
    "budget",
    "expense",
    "receipt",
    "timesheet",
    "shift",
    "employee",
    "team",
]
DOMAINS = [
    "billing",
    "identity",
    "catalog",
    "logistics",
    "support",
    "analytics",
    "marketing",
    "inventory",
    "fleet",
    "travel",
    "health",
    "learning",
    "publishing",
    "platform",
    "finance",
    "payroll",
    "security",
    "compliance",
    "retail",
    "iot",
]
VERBS = {
    "effect": [
        "create",
        "get",
        "update",
        "delete",
        "list",
        "cancel",
        "approve",
        "archive",
        "send",
        "notify",
        "publish",
        "register",
        "fetch",
        "remove",
        "upsert",
        "suspend",
        "confirm",
        "ship",
        "refund",
    ],
    "compute": [
        "normalize",
        "parse",
        "format",
        "validate",
        "transform",
        "convert",
        "decode",
        "serialize",
        "sanitize",
        "check",
        "clean",
        "render",
    ],
    "reducer": [
        "total",
        "count",
        "average",
        "max",
        "min",
        "merge",
        "group",
        "sum",
        "collect",
        "summarize",
    ],
    "orchestrator": ["fulfill", "onboard", "sync", "run", "coordinate", "process"],
}
NODE_TYPES = {
    "effect": "EFFECT_GENERIC",
    "compute": "COMPUTE_GENERIC",
    "reducer": "REDUCER_GENERIC",
    "orchestrator": "ORCHESTRATOR_GENERIC",
}
PURPOSES = (
    "for the {domain} team",
    "behind the {domain} API",
    "in the {domain} service, audited nightly",
    "so that {domain} dashboards stay current",
    "with retries and idempotency keys for {domain}",
    "as the single source of truth for {domain}",
    "feeding the {domain} data warehouse",
    "under the {domain} retention policy",
)
OPENINGS = {
    "effect": "Stores and serves {entities}",
    "compute": "Turns raw {entity} payloads into clean records",
    "reducer": "Aggregates {entity} events into totals and averages",
    "orchestrator": "Coordinates the {entity} workflow step by step",
}
CONTRACTS = 240  # base contracts, 60 of each kind

HOUSE_GUARD = '''

_{upper}_LIMIT = {limit}


def _require_{field}(payload: dict[str, object]) -> None:
    """House rule {rule}: every request names its {field}."""
    if "{field}" not in payload or len(str(payload["{field}"])) > _{upper}_LIMIT:
        raise ValueError("{field} is required by {domain} rule {rule}")
'''
HOUSE_TRY = """

def _read_{field}(payload: dict[str, object]) -> object:
    try:
        return payload["{field}"]
    except KeyError as error:
        raise LookupError("{domain} rule {rule}: no {field}") from error
"""


def _contract_yaml(name: str, kind: str, description: str, operations: list[str]) -> str:
    package = f"node_{name}_{kind}"
    pascal = "".join(w.capitalize() for w in name.split("_"))
    models = f"{package}.models.model_{name}"
    routes = "".join(
        f"    - operation: {op}\n      handler:\n        name: handle_{op}\n"
        f"        module: {package}.handlers.handler_{op}\n"
        for op in operations
    )
    return (
        f"name: {package}\ncontract_version: {{major: 1, minor: 0, patch: 0}}\n"
        f"node_version: {{major: 0, minor: 1, patch: 0}}\nnode_type: {NODE_TYPES[kind]}\n"
        f'description: "{description}"\n'
        f"input_model: {models}_input.Model{pascal}Input\n"
        f"output_model: {models}_output.Model{pascal}Output\n"
        "handler_routing:\n  version: {major: 1, minor: 0, patch: 0}\n"
        f"  routing_strategy: operation_match\n  handlers:\n{routes}"
    )


def _description(kind: str, entity: str, domain: str, rng: random.Random) -> str:
    opening = OPENINGS[kind].format(entity=entity, entities=entity + "s")
    return f"{opening} {rng.choice(PURPOSES).format(domain=domain)}."


@cache
def base_contract(index: int) -> tuple[str, str, str, tuple[str, ...]]:
    """(name, kind, domain, operations) of base contract ``index``."""
    rng = random.Random(index)
    kind = list(VERBS)[index % 4]
    entity = ENTITIES[(index // 4) % len(ENTITIES)]
    domain = DOMAINS[index % len(DOMAINS)]
    verbs = rng.sample(VERBS[kind], k=min(len(VERBS[kind]), rng.randint(3, 5)))
    others = rng.sample(ENTITIES, k=len(verbs))
    ops = [
        f"{v}_{entity if i % 2 == 0 else other}"
        for i, (v, other) in enumerate(zip(verbs, others, strict=True))
    ]
    return f"{domain}_{entity}_{index}", kind, domain, tuple(dict.fromkeys(ops))


@cache
def rendered(index: int) -> dict[str, str]:
    """The generator's package for base contract ``index`` (relative path -> text)."""
    name, kind, domain, ops = base_contract(index)
    text = _contract_yaml(name, kind, f"{kind} node for {domain}", list(ops))
    contract = load_contract(text, f"/corpus/{name}.yaml").contract
    assert contract is not None, text
    where = Location(Path("/corpus") / "contract.yaml", Path("/corpus"))
    return plan_package(contract, where).files


def _house_style(text: str, rng: random.Random, domain: str) -> str:
    field = rng.choice(ENTITIES) + "_" + rng.choice(["id", "code", "ref", "name", "key", "owner"])
    values = {
        "field": field,
        "upper": field.upper(),
        "limit": rng.randint(8, 4096),
        "rule": f"{rng.choice('ABCDEFGHJK')}{rng.randint(1, 99999)}",
        "domain": domain,
    }
    extra = HOUSE_GUARD.format(**values)
    if rng.random() < 0.4:
        extra += HOUSE_TRY.format(**values)
    return text.rstrip("\n") + "\n" + extra


def project_files(project: int) -> Iterator[tuple[str, str]]:
    """(relative path, text) of every file of project ``project``, in a fixed order.

    Project 0 holds whole packages (node, models, tests: they mostly deduplicate);
    later projects only the contracts and their handler modules.
    """
    for index in range(CONTRACTS):
        name, kind, domain, _ = base_contract(index)
        rng = random.Random(project * 100_003 + index)
        entity = name.split("_")[1]
        description = _description(kind, entity, domain, rng)
        folder = f"p{project:04d}"
        files = rendered(index)
        package = next(iter(files)).split("/")[0]
        contract = _contract_yaml(name, kind, description, list(base_contract(index)[3]))
        yield f"{folder}/{package}/contract.yaml", contract
        for rel, text in files.items():
            if not rel.endswith(".py"):
                continue
            if "/handlers/handler_" in rel:
                yield f"{folder}/{rel}", _house_style(text, rng, domain)
            elif project == 0:
                yield f"{folder}/{rel}", text


def write_project(root: Path, project: int) -> list[Path]:
    """Write project ``project`` under ``root``; returns its Python files in order."""
    written = []
    for rel, text in project_files(project):
        path = root / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if path.suffix == ".py":
            written.append(path)
    return written


def query_contract(index: int) -> tuple[str, str, list[str], str]:
    """A contract that is in no project (index past the base ones): (kind, description,
    operations, yaml), for queries the store has never seen."""
    name, kind, domain, ops = base_contract(CONTRACTS + index)
    description = _description(kind, name.split("_")[1], domain, random.Random(-index - 1))
    return kind, description, list(ops), _contract_yaml(name, kind, description, list(ops))

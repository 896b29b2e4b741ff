"""Built-in pattern detection: CRUD, state transitions, messaging, validation,
transformation, aggregation, orchestration.

Names are split into whole words (snake_case, camelCase, kebab-case), so
``reset_password`` is not "set", ``summary_report`` is not "sum" and ``add_address``
is "add". Every keyword belongs to exactly one pattern. Each match carries a
confidence in [0, 1] and a reason a person can check.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from onex_lsp.contract.model import Contract
from onex_lsp.contract.schema import NodeKind
from onex_lsp.identifiers import split_words


class Pattern(StrEnum):
    CRUD = "crud"
    STATE = "state"
    MESSAGING = "messaging"
    VALIDATION = "validation"
    TRANSFORMATION = "transformation"
    AGGREGATION = "aggregation"
    ORCHESTRATION = "orchestration"

    @property
    def label(self) -> str:
        return _LABELS.get(self, self.value)


_LABELS = {
    Pattern.CRUD: "CRUD",
    Pattern.STATE: "state transition",
    Pattern.MESSAGING: "publish/notify",
}

# State-transition verbs and the state each one leads to (``void_invoice`` -> "voided").
TRANSITIONS: dict[str, str] = {
    "cancel": "cancelled", "void": "voided", "approve": "approved", "reject": "rejected",
    "archive": "archived", "close": "closed", "reopen": "open", "activate": "active",
    "deactivate": "inactive", "suspend": "suspended", "resume": "active",
    "complete": "completed", "confirm": "confirmed", "submit": "submitted",
    "ship": "shipped", "deliver": "delivered", "lock": "locked", "unlock": "unlocked",
    "expire": "expired", "revoke": "revoked", "restore": "active", "refund": "refunded",
    "enable": "enabled", "disable": "disabled", "accept": "accepted",
    "decline": "declined", "pause": "paused", "settle": "settled", "block": "blocked",
    "unblock": "active", "verify": "verified", "publish": "published",
}  # fmt: skip


# keyword -> (pattern, variant). One pattern per keyword, by construction.
VOCABULARY: dict[Pattern, dict[str, tuple[str, ...]]] = {
    Pattern.CRUD: {
        "create": (
            "create", "add", "insert", "register", "new", "post", "record", "append",
            "capture", "track", "log",
        ),
        "read": ("get", "read", "fetch", "find", "retrieve", "lookup", "load", "show", "view"),
        "list": ("list", "search", "query", "browse"),
        "update": ("update", "modify", "edit", "patch", "change", "rename", "set"),
        "delete": ("delete", "remove", "destroy", "purge", "erase", "drop", "unregister"),
        "upsert": ("upsert", "save", "store", "persist", "put", "write"),
    },
    Pattern.STATE: {
        "transition": tuple(
            verb for verb in TRANSITIONS if verb not in ("verify", "publish")
        ),
    },
    Pattern.MESSAGING: {
        "publish": (
            "send", "publish", "notify", "emit", "broadcast", "announce", "alert", "email",
            "message", "remind", "sms", "mail",
        ),
    },
    Pattern.VALIDATION: {
        "validate": (
            "validate", "check", "verify", "lint", "audit", "ensure", "inspect", "scan",
            "vet", "assert",
        ),
    },
    Pattern.TRANSFORMATION: {
        "normalize": (
            "normalize", "normalise", "clean", "cleanse", "sanitize", "sanitise",
            "standardize", "standardise", "trim", "canonicalize",
        ),
        "parse": ("parse", "decode", "deserialize", "deserialise", "unmarshal"),
        "format": ("format", "serialize", "serialise", "encode", "render", "marshal", "stringify"),
        "convert": ("transform", "convert", "map", "translate", "enrich", "reshape"),
    },
    Pattern.AGGREGATION: {
        "count": ("count", "tally"),
        "sum": ("sum", "total", "totals"),
        "mean": ("average", "avg", "mean"),
        "min": ("min", "minimum"),
        "max": ("max", "maximum"),
        "collect": (
            "aggregate", "group", "collect", "accumulate", "merge", "combine",
            "consolidate", "reduce", "rollup", "summarize", "summarise", "fold", "gather",
        ),
    },
    Pattern.ORCHESTRATION: {
        "workflow": (
            "orchestrate", "coordinate", "workflow", "pipeline", "dispatch", "schedule",
            "run", "execute", "sequence", "saga", "trigger", "launch", "onboard",
            "fulfil", "fulfill", "sync", "synchronize", "synchronise", "kickoff",
        ),
    },
}  # fmt: skip

KEYWORDS: dict[str, tuple[Pattern, str]] = {
    word: (pattern, variant)
    for pattern, variants in VOCABULARY.items()
    for variant, words in variants.items()
    for word in words
}

# The kind each pattern naturally lives in, and the blocks each kind can host.
NATURAL_KIND = {
    Pattern.CRUD: NodeKind.EFFECT,
    Pattern.STATE: NodeKind.EFFECT,
    Pattern.MESSAGING: NodeKind.EFFECT,
    Pattern.VALIDATION: NodeKind.COMPUTE,
    Pattern.TRANSFORMATION: NodeKind.COMPUTE,
    Pattern.AGGREGATION: NodeKind.REDUCER,
    Pattern.ORCHESTRATION: NodeKind.ORCHESTRATOR,
}
FITS: dict[NodeKind, frozenset[Pattern]] = {
    NodeKind.EFFECT: frozenset(
        {
            Pattern.CRUD, Pattern.STATE, Pattern.MESSAGING, Pattern.VALIDATION,
            Pattern.TRANSFORMATION, Pattern.AGGREGATION,
        }
    ),
    NodeKind.COMPUTE: frozenset({Pattern.VALIDATION, Pattern.TRANSFORMATION, Pattern.AGGREGATION}),
    NodeKind.REDUCER: frozenset({Pattern.AGGREGATION, Pattern.TRANSFORMATION, Pattern.VALIDATION}),
    NodeKind.ORCHESTRATOR: frozenset({Pattern.ORCHESTRATION}),
}  # fmt: skip

# Operations a contract names only through its node (a default handler, a top-level
# ``handler``): they carry the node's name, e.g. ``compliance_scan``.
NODE_NAMED_SOURCES = frozenset({"default_handler", "handler", "node"})
LEADING_WORD = 0.85  # ``create_user``: the verb leads, as operation names usually do
OTHER_WORD = 0.6  # ``user_create`` / ``order_total``: plausible, worth a review
KIND_BONUS = 0.05
CONTEXT_BONUS = 0.05
CONTEXT_ONLY = 0.5


@dataclass(frozen=True)
class PatternMatch:
    pattern: Pattern
    variant: str
    keyword: str
    confidence: float
    reason: str


@dataclass(frozen=True)
class OperationDetection:
    operation: str
    matches: tuple[PatternMatch, ...]  # best first; empty when nothing matched

    @property
    def best(self) -> PatternMatch | None:
        return self.matches[0] if self.matches else None


@dataclass(frozen=True)
class PatternSummary:
    pattern: Pattern
    confidence: float
    operations: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class ContractDetection:
    kind: NodeKind
    operations: tuple[OperationDetection, ...]
    patterns: tuple[PatternSummary, ...]  # best first

    def for_operation(self, name: str) -> OperationDetection | None:
        return next((d for d in self.operations if d.operation == name), None)


def lookup(word: str) -> tuple[Pattern, str] | None:
    """The pattern a whole word names, allowing plain inflections (creates, aggregated)."""
    hit = KEYWORDS.get(word)
    if hit is not None or len(word) <= 3:
        return hit
    for suffix in ("s", "es", "d", "ed"):
        if word.endswith(suffix) and (hit := KEYWORDS.get(word.removesuffix(suffix))):
            return hit
    if word.endswith("ing"):  # listing, writing, scanning
        stem = word[:-3]
        for base in (stem, stem + "e", stem[:-1]):
            if hit := KEYWORDS.get(base):
                return hit
    return None


# Verbs that are also common nouns in prose ("records", "a log", "the message"): they name
# a pattern in an operation's name, but not in a description.
VERB_ONLY = frozenset(
    {"record", "log", "track", "post", "new", "message", "alert", "block", "check", "set"}
)


def context_patterns(words: list[str]) -> dict[Pattern, str]:
    """Patterns the contract's name, description and tags speak of (first keyword each)."""
    found: dict[Pattern, str] = {}
    for word in words:
        if word in VERB_ONLY or word.rstrip("s") in VERB_ONLY:
            continue
        hit = lookup(word)
        if hit and hit[0] not in found:
            found[hit[0]] = word
    return found


def detect_operation(
    name: str, kind: NodeKind, context: dict[Pattern, str], *, verb_last: bool = False
) -> OperationDetection:
    """``verb_last``: the operation is named after its node (``compliance_scan``), whose
    names put the verb last, so the last word scores as a leading verb would."""
    words = split_words(name)
    verb_at = len(words) - 1 if verb_last else 0
    best: dict[Pattern, PatternMatch] = {}
    for index, word in enumerate(words):
        hit = lookup(word)
        if hit is None:
            continue
        pattern, variant = hit
        if pattern in best:
            continue
        base = LEADING_WORD if index == verb_at else OTHER_WORD
        where = "verb" if index == verb_at else "word"
        notes: list[str] = []
        confidence = base
        if NATURAL_KIND[pattern] is kind:
            confidence += KIND_BONUS
            notes.append(f"{kind.upper_name} node")
        if pattern in context:
            confidence += CONTEXT_BONUS
            notes.append(f"contract mentions '{context[pattern]}'")
        confidence = round(min(confidence, 0.99), 2)
        detail = f" ({', '.join(notes)})" if notes else ""
        reason = f"{name}: {where} '{word}' → {pattern.label} {variant}{detail}"
        best[pattern] = PatternMatch(pattern, variant, word, confidence, reason)
    ordered = sorted(best.values(), key=lambda m: -m.confidence)
    return OperationDetection(name, tuple(ordered))


def describe_words(contract: Contract) -> list[str]:
    """The words of a contract's name, description and tags (its context for detection)."""
    words = split_words(contract.raw_name) + split_words(contract.description)
    for tag in contract.tags:
        words.extend(split_words(tag))
    return words


def detect_contract(contract: Contract) -> ContractDetection:
    """Detect patterns per operation and for the contract as a whole."""
    context = context_patterns(describe_words(contract))
    detections = tuple(
        detect_operation(op.name, contract.kind, context, verb_last=op.source in NODE_NAMED_SOURCES)
        for op in contract.operations
    )
    summaries: list[PatternSummary] = []
    for pattern in Pattern:
        ops = [d for d in detections if d.best and d.best.pattern is pattern]
        if ops:
            assert all(d.best for d in ops)
            mean = sum(d.best.confidence for d in ops if d.best) / len(ops)
            verbs = ", ".join(d.best.keyword for d in ops if d.best)
            summaries.append(
                PatternSummary(
                    pattern,
                    round(mean, 2),
                    tuple(d.operation for d in ops),
                    f"{pattern.label}: {len(ops)} operation(s) ({verbs})",
                )
            )
        elif pattern in context:
            summaries.append(
                PatternSummary(
                    pattern,
                    CONTEXT_ONLY,
                    (),
                    f"{pattern.label}: the contract mentions '{context[pattern]}'",
                )
            )
    summaries.sort(key=lambda s: (-len(s.operations), -s.confidence))
    return ContractDetection(contract.kind, detections, tuple(summaries))

"""What omnibase-core 0.47's strict contract models accept, as plain data.

Read off ``ModelContract{Effect,Compute,Reducer,Orchestrator}.model_fields`` of
omnibase-core 0.47.57 (aliases included). ``tests/framework`` checks these tables
against the installed framework, so a framework upgrade that changes them fails a
test instead of silently drifting.
"""

from __future__ import annotations

from enum import StrEnum


class NodeKind(StrEnum):
    EFFECT = "effect"
    COMPUTE = "compute"
    REDUCER = "reducer"
    ORCHESTRATOR = "orchestrator"

    @property
    def upper_name(self) -> str:
        return self.value.upper()

    @property
    def pascal(self) -> str:
        return self.value.capitalize()


COMMON_KEYS = frozenset(
    {
        "annotations", "author", "behavior", "behavior_spec", "concurrency", "config",
        "contract_version", "dependencies", "description", "documentation_url",
        "dod_evidence", "event_bus", "execution", "feature_flags", "golden_path",
        "handler_routing", "input_model", "intent_consumption", "leases", "lifecycle",
        "mcp", "name", "node_type", "node_version", "output_model", "performance",
        "placement", "protocol_dependencies", "protocol_interfaces", "skill_surface",
        "tags", "validation_rules", "yaml_consumed_events", "yaml_published_events",
    }
)  # fmt: skip

KIND_KEYS: dict[NodeKind, frozenset[str]] = {
    NodeKind.EFFECT: COMMON_KEYS
    | {
        "actions", "audit_trail_enabled", "backup_config", "caching",
        "consistency_validation_enabled", "correlation_id", "event_type",
        "execution_id", "external_services", "idempotent_operations",
        "infrastructure", "infrastructure_services", "input_state", "io_operations",
        "node_name", "output_state", "retry_policies", "routing",
        "service_configuration", "side_effect_logging_enabled",
        "tool_specification", "transaction_management",
    },
    NodeKind.COMPUTE: COMMON_KEYS
    | {
        "actions", "algorithm", "caching", "deterministic_execution", "event_type",
        "infrastructure", "infrastructure_services", "input_state",
        "input_validation", "intermediate_result_caching",
        "memory_optimization_enabled", "node_name", "output_state",
        "output_transformation", "parallel_processing", "service_configuration",
        "tool_specification",
    },
    NodeKind.REDUCER: COMMON_KEYS
    | {
        "actions", "aggregation", "caching", "conflict_resolution", "correlation_id",
        "event_type", "fingerprint", "incremental_processing", "infrastructure",
        "infrastructure_services", "input_state", "memory_management", "node_name",
        "order_preserving", "output_state", "partial_results_enabled",
        "reduction_operations", "result_caching_enabled", "service_configuration",
        "state_management", "state_transitions", "streaming", "tool_specification",
        "workflow_coordination",
    },
    NodeKind.ORCHESTRATOR: COMMON_KEYS
    | {
        "action_emission", "conditional_branching", "consumed_events",
        "correlation_id", "event_coordination", "event_registry",
        "failure_isolation_enabled", "load_balancing_enabled",
        "metrics_collection_enabled", "monitoring_enabled", "published_events",
        "workflow_coordination",
    },
}  # fmt: skip

ALL_KEYS = frozenset().union(*KIND_KEYS.values())

# Keys every kind requires; COMPUTE and ORCHESTRATOR also need a performance budget.
REQUIRED_KEYS = (
    "name",
    "contract_version",
    "description",
    "node_type",
    "input_model",
    "output_model",
)
KINDS_NEEDING_PERFORMANCE = frozenset({NodeKind.COMPUTE, NodeKind.ORCHESTRATOR})

# ``EnumNodeType`` (omnibase_core/enums/enum_node_type.py): value == name, matched
# case-insensitively by ``onex validate`` (ModelYamlContract.validate_node_type).
GENERIC_NODE_TYPES: dict[str, NodeKind] = {
    "EFFECT_GENERIC": NodeKind.EFFECT,
    "COMPUTE_GENERIC": NodeKind.COMPUTE,
    "REDUCER_GENERIC": NodeKind.REDUCER,
    "ORCHESTRATOR_GENERIC": NodeKind.ORCHESTRATOR,
}
OTHER_NODE_TYPES = frozenset(
    {
        "RUNTIME_HOST_GENERIC", "GATEWAY", "VALIDATOR", "TRANSFORMER", "AGGREGATOR",
        "FUNCTION", "TOOL", "AGENT", "MODEL", "PLUGIN", "SCHEMA", "NODE", "WORKFLOW",
        "SERVICE", "UNKNOWN",
    }
)  # fmt: skip
# The archetype words (``EnumNodeKind``): the strict contract models and the runtime accept
# them for node_type (MixinNodeTypeValidator lower-cases), ``onex validate`` does not.
ARCHETYPE_KINDS: dict[str, NodeKind] = {kind.value: kind for kind in NodeKind}


class NodeTypeStatus(StrEnum):
    ENUM = "enum"  # an EnumNodeType value: accepted everywhere
    ARCHETYPE = "archetype"  # effect/compute/...: accepted except by ``onex validate``
    OTHER_ONEX = "other-onex"  # a valid EnumNodeType that is not one of the four kinds
    INVALID = "invalid"


def classify_node_type(raw: str) -> tuple[NodeKind | None, NodeTypeStatus]:
    """The kind a node_type names, and which of omnibase-core's readers accept it."""
    upper = raw.strip().upper()
    if upper in GENERIC_NODE_TYPES:
        return GENERIC_NODE_TYPES[upper], NodeTypeStatus.ENUM
    if upper in OTHER_NODE_TYPES:
        return None, NodeTypeStatus.OTHER_ONEX
    if upper.lower() in ARCHETYPE_KINDS:
        return ARCHETYPE_KINDS[upper.lower()], NodeTypeStatus.ARCHETYPE
    return None, NodeTypeStatus.INVALID


def enum_spelling(kind: NodeKind) -> str:
    return f"{kind.upper_name}_GENERIC"


SEMVER_KEYS = frozenset({"major", "minor", "patch", "prerelease", "build"})
HANDLER_ROUTING_KEYS = frozenset({"version", "routing_strategy", "handlers", "default_handler"})
ROUTING_STRATEGIES = frozenset({"payload_type_match", "operation_match", "topic_pattern"})
HANDLER_ENTRY_KEYS = frozenset(
    {"handler", "event_model", "operation", "event_type", "message_category", "topic"}
)
HANDLER_REF_KEYS = frozenset({"name", "module"})

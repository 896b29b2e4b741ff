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

# node_type spellings accepted by omnibase-core, mapped to the kind we generate.
NODE_TYPE_KINDS: dict[str, NodeKind] = {
    "effect": NodeKind.EFFECT,
    "compute": NodeKind.COMPUTE,
    "reducer": NodeKind.REDUCER,
    "orchestrator": NodeKind.ORCHESTRATOR,
    "effect_generic": NodeKind.EFFECT,
    "compute_generic": NodeKind.COMPUTE,
    "reducer_generic": NodeKind.REDUCER,
    "orchestrator_generic": NodeKind.ORCHESTRATOR,
}
# EnumNodeType values that are valid ONEX but are not one of the four node kinds.
OTHER_NODE_TYPES = frozenset(
    {
        "runtime_host_generic", "gateway", "validator", "transformer", "aggregator",
        "function", "tool", "agent", "model", "plugin", "schema", "node", "workflow",
        "service", "unknown",
    }
)  # fmt: skip

SEMVER_KEYS = frozenset({"major", "minor", "patch", "prerelease", "build"})
HANDLER_ROUTING_KEYS = frozenset({"version", "routing_strategy", "handlers", "default_handler"})
ROUTING_STRATEGIES = frozenset({"payload_type_match", "operation_match", "topic_pattern"})
HANDLER_ENTRY_KEYS = frozenset(
    {"handler", "event_model", "operation", "event_type", "message_category", "topic"}
)
HANDLER_REF_KEYS = frozenset({"name", "module"})

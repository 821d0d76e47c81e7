"""Who gets each task: the lane of the diagram, mapped to a role and team by processes/task_routing.dmn."""
from __future__ import annotations

from dataclasses import dataclass

from . import registry

ROUTING_DECISION = "task_routing"
# When no rule matches a lane, the task must still reach someone who can act on it.
FALLBACK = ("complaints_manager", "customer_relations")


@dataclass(frozen=True)
class Route:
    role: str
    team: str | None


def route_task(lane: str | None, case_data: dict) -> Route:
    result = registry.decide(ROUTING_DECISION, {**case_data, "lane": lane}) if lane else None
    if not result or not result.get("role"):
        return Route(*FALLBACK)
    return Route(result["role"], result.get("team") or None)

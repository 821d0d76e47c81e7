"""Who gets each task: the lane of the diagram, mapped to a role and team by processes/task_routing.dmn."""
from __future__ import annotations

from dataclasses import dataclass

from . import spiff
from .registry import latest_versions

ROUTING_DECISION = "task_routing"
# When no rule matches a lane, the task must still reach someone who can act on it.
FALLBACK = ("complaints_manager", "customer_relations")


@dataclass(frozen=True)
class Route:
    role: str
    team: str | None


def route_task(lane: str | None, case_data: dict) -> Route:
    version = latest_versions().get(ROUTING_DECISION)
    if version is None or lane is None:
        return Route(*FALLBACK)
    result = spiff.decide(version.xml, ROUTING_DECISION, {**case_data, "lane": lane})
    if not result.get("role"):
        return Route(*FALLBACK)
    return Route(result["role"], result.get("team") or None)

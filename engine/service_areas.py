"""The council's service areas: the teams officers belong to and what a contact is about. One list, used everywhere."""
from __future__ import annotations

SERVICE_AREAS: dict[str, str] = {
    "highways": "Highways",
    "waste": "Waste and recycling",
    "parks": "Parks and open spaces",
    "planning": "Planning",
    "housing": "Housing",
    "council_tax": "Council Tax",
    "libraries": "Libraries",
    "childrens_social_care": "Children's social care",
    "adult_social_care": "Adult social care",
    "customer_relations": "Customer relations",
}


def label(value: str | None) -> str:
    return SERVICE_AREAS.get(value or "", (value or "").replace("_", " ").capitalize())

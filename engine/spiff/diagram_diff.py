"""What changed between two versions of a diagram: elements added, removed and changed, by id.

Layout (the BPMNDI/DMNDI shapes) is left out: moving a box is not a change to the procedure.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .lint import describe

_LAYOUT_NAMESPACES = ("http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DMN/20180521/DMNDI/",
                      "https://www.omg.org/spec/DMN/20191111/DMNDI/")


@dataclass
class DiagramDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _is_layout(element) -> bool:
    return any(etree.QName(a).namespace in _LAYOUT_NAMESPACES for a in [element, *element.iterancestors()])


def _elements(xml: str) -> dict[str, etree._Element]:
    root = etree.fromstring(xml.encode(), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    return {e.get("id"): e for e in root.iter() if isinstance(e.tag, str) and e.get("id") and not _is_layout(e)}


def _signature(element) -> str:
    """The element's own content: attributes and text, and its children without their own id."""
    parts = [etree.QName(element).localname, repr(sorted(element.attrib.items())), (element.text or "").strip()]
    for child in element:
        if not isinstance(child.tag, str) or child.get("id"):
            continue
        parts.append(etree.tostring(child, method="c14n").decode())
    return "\n".join(parts)


def _label(element) -> str:
    kind = etree.QName(element).localname
    return f"{kind} {describe(element)}"


def diff_diagrams(old_xml: str, new_xml: str) -> DiagramDiff:
    old, new = _elements(old_xml), _elements(new_xml)
    result = DiagramDiff()
    for element_id, element in new.items():
        if element_id not in old:
            result.added.append(_label(element))
        elif _signature(element) != _signature(old[element_id]):
            before = old[element_id].get("name")
            renamed = f' (was "{before}")' if before != element.get("name") and before else ""
            result.changed.append(_label(element) + renamed)
    result.removed = [_label(e) for i, e in old.items() if i not in new]
    return result

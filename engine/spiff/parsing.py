"""Parse and check BPMN and DMN files before anything is deployed.

Every problem found is collected, so a process owner sees all the reasons at
once rather than fixing one error per upload.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from .dmn_overlaps import find_overlaps
from .scripting import DiagramCodeError, compile_expression, compile_script

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
)
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
KNOWN_NAMESPACES = {
    BPMN_NS,
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
    "http://www.w3.org/2001/XMLSchema-instance",
    "http://www.omg.org/spec/DMN/20180521/DMNDI/",
    "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    "http://www.omg.org/spec/DMN/20180521/DC/",
    "http://www.omg.org/spec/DMN/20180521/DI/",
    "http://bpmn.io/schema/bpmn/biocolor/1.0",
    "http://www.omg.org/spec/BPMN/non-normative/color/1.0",
    SPIFF_NS,
    *DMN_NAMESPACES,
}
FORM_PROPERTY = "formJsonSchemaFilename"


@dataclass
class DiagramFile:
    """One BPMN or DMN document, parsed as XML."""

    name: str
    content: bytes
    kind: str
    root: etree._Element
    ids: list[str]
    content_hash: str


@dataclass
class CheckReport:
    files: list[DiagramFile] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    forms: dict[str, set[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_diagram(name: str, content: bytes, report: CheckReport) -> DiagramFile | None:
    """Parse one file's XML, or record why it cannot be read."""
    try:
        root = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as err:
        report.errors.append(f"{name}: not well-formed XML: {err}")
        return None
    namespace = etree.QName(root).namespace
    if namespace == BPMN_NS:
        # Pools drawn only to show a participant are not executable and cannot be started.
        ids = [p.get("id") for p in root.findall(f"{{{BPMN_NS}}}process") if p.get("isExecutable") != "false"]
        if not ids:
            report.errors.append(f"{name}: a BPMN file must contain at least one executable process")
            return None
        return DiagramFile(name, content, "bpmn", root, ids, content_hash(content))
    if namespace in DMN_NAMESPACES:
        ids = [d.get("id") for d in root.findall(f"{{{namespace}}}decision")]
        return DiagramFile(name, content, "dmn", root, ids, content_hash(content))
    report.errors.append(f"{name}: not a BPMN 2.0 or DMN document (root element {root.tag})")
    return None


def _element_label(element) -> str:
    return element.get("id") or etree.QName(element).localname


def _check_code(diagram: DiagramFile, report: CheckReport) -> None:
    """Compile every script and expression in the file under the engine's restrictions."""
    for element in diagram.root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        text = (element.text or "").strip()
        if not text:
            continue
        owner = element.getparent()
        where = f"{diagram.name}: {_element_label(owner)}"
        try:
            if local in ("script", "preScript", "postScript"):
                compile_script(text)
            elif local in ("conditionExpression", "timeDate", "timeDuration", "timeCycle"):
                compile_expression(text)
            elif diagram.kind == "dmn" and local == "text" and text != "-":
                _compile_dmn_cell(text)
        except DiagramCodeError as err:
            report.errors.append(f"{where}: {local} does not compile: {err}")


def _compile_dmn_cell(text: str) -> None:
    # SpiffWorkflow's DMN cells: "?" stands for the input value; "< 5" is prefixed with the input.
    text = re.sub(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)", "dmninputexpr", text)
    try:
        compile_expression(text)
    except DiagramCodeError:
        compile_expression(f"dmninputexpr {text}")


def _warn_vendor_extensions(diagram: DiagramFile, report: CheckReport) -> None:
    seen: set[str] = set()
    for element in diagram.root.iter():
        if not isinstance(element.tag, str):
            continue
        names = [element.tag, *element.attrib.keys()]
        for name in names:
            namespace = etree.QName(name).namespace
            if namespace and namespace not in KNOWN_NAMESPACES:
                prefix = next((p for p, ns in (element.nsmap or {}).items() if ns == namespace), namespace)
                seen.add(f"{prefix}:{etree.QName(name).localname}")
    if seen:
        report.warnings.append(
            f"{diagram.name}: vendor extensions are ignored by this product: {', '.join(sorted(seen))}"
        )


def _forms_referenced(diagram: DiagramFile) -> set[str]:
    found = set()
    for prop in diagram.root.iter(f"{{{SPIFF_NS}}}property"):
        if prop.get("name") == FORM_PROPERTY and prop.get("value"):
            found.add(prop.get("value"))
    return found


def referenced_ids(diagram: DiagramFile) -> set[str]:
    """Return the process and decision ids this file calls (call activities, business rule tasks)."""
    found = {e.get("calledElement") for e in diagram.root.iter(f"{{{BPMN_NS}}}callActivity")}
    found.update((e.text or "").strip() for e in diagram.root.iter(f"{{{SPIFF_NS}}}calledDecisionId"))
    found.update(e.get("decisionRef") for e in diagram.root.iter(f"{{{BPMN_NS}}}businessRuleTask"))
    return {i for i in found if i} - set(diagram.ids)


def new_parser() -> SpiffBpmnParser:
    return SpiffBpmnParser(validator=VALIDATOR)


def add_to_parser(parser: SpiffBpmnParser, diagram: DiagramFile) -> None:
    if diagram.kind == "bpmn":
        parser.add_bpmn_xml(diagram.root, filename=diagram.name)
    else:
        parser.add_dmn_xml(diagram.root, filename=diagram.name)


def check_files(new: dict[str, bytes], context: dict[str, bytes]) -> CheckReport:
    """Check `new` files against the already deployed `context` files; collect every problem."""
    report = CheckReport()
    for name, content in new.items():
        diagram = read_diagram(name, content, report)
        if diagram is not None:
            report.files.append(diagram)
            _check_code(diagram, report)
            _warn_vendor_extensions(diagram, report)
            report.forms[name] = _forms_referenced(diagram)
    if report.errors:
        return report
    new_ids = {i for d in report.files for i in d.ids}
    parser = new_parser()
    known_ids = set(new_ids)
    for name, content in context.items():
        if name in new:
            continue
        existing = read_diagram(name, content, CheckReport())
        if existing is not None and not new_ids.intersection(existing.ids):
            add_to_parser(parser, existing)
            known_ids.update(existing.ids)
    for diagram in report.files:
        for missing in sorted(referenced_ids(diagram) - known_ids):
            report.errors.append(f"{diagram.name}: calls {missing}, which is neither deployed nor in this upload")
    for diagram in report.files:
        try:
            add_to_parser(parser, diagram)
        except ValidationException as err:
            if "is not expected" in str(err) or "is not a valid value" in str(err):
                where = f"line {err.line_number}: " if getattr(err, "line_number", None) else ""
                report.errors.append(f"{diagram.name}: does not match the BPMN 2.0 schema: {where}{err}")
            else:
                report.errors.append(f"{diagram.name}: {err}")
        except etree.DocumentInvalid as err:
            report.errors.append(f"{diagram.name}: does not match the BPMN 2.0 schema: {err}")
    if report.errors:
        return report
    for diagram in report.files:
        if diagram.kind == "dmn":
            _check_overlaps(parser, diagram, report)
            continue
        for process_id in diagram.ids:
            try:
                parser.get_spec(process_id)
                parser.get_subprocess_specs(process_id)
            except ValidationException as err:
                report.errors.append(f"{diagram.name}: process {process_id}: {err}")
            except Exception as err:  # spiff raises plain exceptions for some broken references
                report.errors.append(f"{diagram.name}: process {process_id}: {type(err).__name__}: {err}")
    return report


def _check_overlaps(parser: SpiffBpmnParser, diagram: DiagramFile, report: CheckReport) -> None:
    for decision in diagram.root.iter(f"{{{etree.QName(diagram.root).namespace}}}decision"):
        if decision.find("{*}decisionTable") is None:
            continue
        try:
            engine = parser.get_engine(decision.get("id"), None)
        except (ValidationException, AttributeError) as err:
            # 3.2.0 reads one decision table per file, and fails oddly on more.
            report.errors.append(f"{diagram.name}: decision {decision.get('id')} cannot be read "
                                 f"(one decision table per file): {err}")
            continue
        for overlap in find_overlaps(engine, decision.get("name") or decision.get("id")):
            report.errors.append(f"{diagram.name}: {overlap.describe()}")


def build_specs(main: bytes, main_name: str, others: dict[str, bytes], process_id: str):
    """Parse a deployed version and return (spec, subprocess_specs) for `process_id`."""
    parser = new_parser()
    report = CheckReport()
    for name, content in {main_name: main, **others}.items():
        diagram = read_diagram(name, content, report)
        if diagram is not None and (name == main_name or process_id not in diagram.ids):
            add_to_parser(parser, diagram)
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


def decision_table(dmn_xml: bytes, decision_id: str):
    """Parse one DMN decision and return its SpiffWorkflow DMN engine."""
    parser = new_parser()
    parser.add_dmn_xml(etree.fromstring(dmn_xml), filename=f"{decision_id}.dmn")
    return parser.get_engine(decision_id, None)

"""The annual reports, from live data for a financial year (1 April to 31 March).

`corporate`: the complaints performance and service-improvement report of the Complaint Handling Code,
section 8 (volumes, categories, outcomes, timeliness, complaints not taken and why, the Ombudsman's
decisions, improvements made). `childrens` and `adults`: the separate statutory reports, built from the
same case and deadline tables for their procedure, whatever its stages and deadline steps are called.

A report is a list of sections, each a table (columns and rows), so the HTML page, the PDF and the CSV
show exactly the same figures.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, or_, select

from . import dashboard as figures
from .actions import THEMES
from .models import Action, Case, db
from .service_areas import label as area_label

INTAKE_FORM = Path(__file__).resolve().parent.parent / "processes" / "forms" / "intake.json"
REPORTS = {
    "corporate": ("Complaints performance and service improvement report", ("corporate", "none")),
    "childrens": ("Children's social care complaints: annual report", ("childrens_statutory",)),
    "adults": ("Adult social care complaints: annual report", ("adults_statutory",)),
}
OMBUDSMAN_NOTE = ("The Ombudsman's decisions are not yet recorded in this system. Add the figures from the "
                  "Ombudsman's annual letter for the year.")


@dataclass
class Section:
    id: str
    heading: str
    columns: list[str]
    rows: list[list]
    note: str = ""


@dataclass
class Report:
    kind: str
    title: str
    year: int
    period_from: date
    period_to: date
    sections: list[Section] = field(default_factory=list)

    @property
    def period(self) -> str:
        return f"{self.year}/{str(self.year + 1)[-2:]}"


def _words(name: str) -> str:
    """stage1_response -> Stage 1 response."""
    return re.sub(r"(\D)(\d)", r"\1 \2", name.replace("_", " ")).capitalize()


def financial_year(year: int) -> tuple[date, date]:
    return date(year, 4, 1), date(year + 1, 3, 31)


def build(user, kind: str, year: int) -> Report:
    figures.check_access(user)
    title, procedures = REPORTS[kind]
    start, end = financial_year(year)
    chosen = figures.Filters(start, end, None, procedures)
    report = Report(kind, title, year, start, end)
    report.sections += [_volumes(chosen, kind), _categories(chosen), _outcomes(chosen), _timeliness(chosen)]
    if kind != "adults":
        report.sections.append(_escalation(chosen, kind))
    if kind == "corporate":
        report.sections.append(_refused(chosen))
    report.sections.append(_remedies(chosen))
    if kind == "corporate":
        report.sections.append(Section("ombudsman", "The Ombudsman's decisions", ["Figure", "Value"], [],
                                       OMBUDSMAN_NOTE))
    report.sections += [_themes(chosen), _improvements(chosen, start, end)]
    return report


def _volumes(chosen, kind: str) -> Section:
    rows = figures.volumes_by("procedure", chosen)
    totals = {k: sum(r[k] for r in rows) for k in figures.KINDS}
    if kind == "corporate":
        return Section("volumes", "Complaints, comments and compliments received", ["Kind", "Number"],
                       [["Complaints", totals["complaint"]], ["Comments", totals["comment"]],
                        ["Compliments", totals["compliment"]]])
    months = figures.volumes_by("month", chosen)
    return Section("volumes", "Complaints received", ["Month", "Complaints"],
                   [[r["key"], r["complaint"]] for r in months] + [["Total", totals["complaint"]]])


def _categories(chosen) -> Section:
    rows = [r for r in figures.volumes_by("service_area", chosen) if r["complaint"]]
    return Section("categories", "Complaints by service area", ["Service area", "Complaints"],
                   [[area_label(r["key"]), r["complaint"]] for r in rows])


def _outcomes(chosen) -> Section:
    rows = figures.outcomes(chosen)
    return Section("outcomes", "Outcomes of complaints answered", ["Outcome", "Complaints", "Per cent"],
                   [[r["key"].replace("_", " ").capitalize(), r["count"], r["percent"]] for r in rows],
                   "The latest outcome of each complaint received in the year that has been answered.")


def _timeliness(chosen) -> Section:
    rows = figures.timeliness(chosen)
    return Section("timeliness", "Timeliness", ["Step", "Completed", "On time", "Per cent on time",
                                                "Average working days taken", "Working days allowed"],
                   [[_words(r["step"]), r["completed"], r["met"], r["percent_met"],
                     r["average_taken"], r["average_target"]] for r in rows],
                   "A step is on time if it was completed on or before its due date, after any extension allowed.")


def _escalation(chosen, kind: str) -> Section:
    e = figures.escalation(chosen)
    rows = [["Answered or due at Stage 1", e["stage1"], None], ["Went on to Stage 2", e["stage2"], e["stage2_percent"]]]
    if kind == "childrens":
        rows.append(["Went on to Stage 3 (Review Panel)", e["stage3"], e["stage3_percent"]])
    return Section("escalation", "Complaints that went on to the next stage", ["Stage", "Complaints", "Per cent"], rows)


def _refused(chosen) -> Section:
    labels = json.loads(INTAKE_FORM.read_text())["properties"]["exclusion"]["x-labels"]
    refused = or_(Case.exclusion != "none", Case.procedure == "none")
    query = (select(Case.exclusion, func.count()).where(*chosen.conditions(), Case.kind == "complaint", refused)
             .group_by(Case.exclusion).order_by(func.count().desc(), Case.exclusion))
    rows = [[labels.get(reason, reason) if reason != "none" else "Decided by the person checking the procedure", count]
            for reason, count in db.session.execute(query)]
    return Section("refused", "Complaints not dealt with under the procedure, and why", ["Reason", "Complaints"], rows)


def _remedies(chosen) -> Section:
    rows = figures.remedies(chosen)
    return Section("remedies", "Remedies", ["Stage", "Remedy", "Complaints", "Financial redress (£)"],
                   [[r["stage"].replace("stage", "Stage "), r["key"].replace("_", " ").capitalize(), r["complaints"],
                     f"{r['amount_pence'] / 100:.2f}" if r["key"] == "financial_redress" else None] for r in rows])


def _themes(chosen) -> Section:
    a = figures.action_figures(chosen)
    return Section("themes", "Lessons: actions by theme", ["Theme", "Actions", "Done", "Open", "Overdue"],
                   [[r["label"], r["actions"], r["done"], r["open"], r["overdue"]] for r in a["rows"]])


def _improvements(chosen, start: date, end: date) -> Section:
    query = (select(Case.reference, Case.service_area, Action.theme, Action.description, Action.completion_note,
                    Action.completed_on)
             .join(Case, Case.id == Action.case_id)
             .where(*figures.Filters(procedures=chosen.procedures).conditions(), Action.status == "done",
                    Action.completed_on.between(start, end))
             .order_by(Action.completed_on, Action.id))
    rows = [[ref, area_label(area), THEMES.get(theme, theme), description, note or "", done.isoformat()]
            for ref, area, theme, description, note, done in db.session.execute(query)]
    return Section("improvements", "Improvements made", ["Case", "Service area", "Theme", "What we said we would do",
                                                         "What was done", "Done on"], rows,
                   "Actions from complaints completed in the year, whenever the complaint was received.")

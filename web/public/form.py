"""The public complaint form: a start page, one question per page, check your answers, confirmation.

Answers wait in a draft row (engine.public_contacts) found by a random key in the visitor's signed
session cookie, so long answers never make the cookie too big. Each view is one engine call.
"""
from __future__ import annotations

from flask import abort, redirect, render_template, request, session, url_for

from engine import public_contacts
from engine.errors import NotFound, ValidationFailed

from ..access import public as public_route
from . import public
from .questions import Page, adult_pages, option_text, young_person_pages

JOURNEYS = {"adult": "/complain", "young_person": "/complain/young-person"}
DRAFTS, DONE = "public_drafts", "public_done"


def _key(journey: str) -> str | None:
    return session.get(DRAFTS, {}).get(journey)


def _answers(journey: str) -> dict:
    return public_contacts.answers_for(_key(journey), journey)


def _pages(journey: str, answers: dict | None = None) -> list[Page]:
    drafted = (lambda: answers) if answers is not None else (lambda: _answers(journey))
    return (young_person_pages if journey == "young_person" else adult_pages)(drafted)


def _first_unanswered(pages: list[Page], answers: dict) -> Page | None:
    return next((page for page in pages if page.applies(answers) and not page.answered(answers)), None)


def _after(pages: list[Page], page: Page, answers: dict) -> str:
    later = pages[pages.index(page) + 1:]
    following = next((p for p in later if p.applies(answers)), None)
    return following.slug if following else "check-answers"


def _url(journey: str, slug: str, **args) -> str:
    return url_for("public.question" if journey == "adult" else "public.young_question", slug=slug, **args)


def _check_url(journey: str) -> str:
    return url_for("public.check_answers" if journey == "adult" else "public.young_check_answers")


def _render(template: str, journey: str, **context):
    return render_template(template, journey=journey, young=journey == "young_person", **context)


@public.get("/complain")
@public_route
def start():
    return _render("public/start.html", "adult", title="Make a complaint, comment or compliment")


@public.get("/complain/young-person")
@public_route
def young_start():
    return _render("public/start.html", "young_person", title="Tell us if you are unhappy")


@public.route("/complain/<slug>", methods=["GET", "POST"])
@public_route
def question(slug):
    return _question("adult", slug)


@public.route("/complain/young-person/<slug>", methods=["GET", "POST"])
@public_route
def young_question(slug):
    return _question("young_person", slug)


def _question(journey: str, slug: str):
    answers = _answers(journey)
    pages = _pages(journey, answers)
    page = next((p for p in pages if p.slug == slug), None)
    if page is None:
        abort(404)
    changing = request.args.get("change") == "1"
    errors = {}
    if request.method == "POST":
        given, errors = page.parse(request.form)
        if not errors:
            key = public_contacts.save_answers(_key(journey), journey, given)
            session[DRAFTS] = {**session.get(DRAFTS, {}), journey: key}
            answers = {**answers, **given}
            missing = _first_unanswered(pages, answers)
            if changing:
                return redirect(_url(journey, missing.slug, change=1) if missing else _check_url(journey))
            following = _after(pages, page, answers)
            return redirect(_check_url(journey) if following == "check-answers" else _url(journey, following))
        answers = {**answers, **given}
    earlier = [p for p in pages[:pages.index(page)] if p.applies(answers)]
    back = _check_url(journey) if changing else (_url(journey, earlier[-1].slug) if earlier
                                                   else url_for("public.start" if journey == "adult"
                                                                else "public.young_start"))
    return _render("public/question.html", journey, title=page.title, page=page, values=answers, errors=errors,
                   error_anchors={}, back=back, action=_url(journey, slug, **({"change": 1} if changing else {}))), \
        400 if errors else 200


def _summary_rows(journey: str, pages: list[Page], answers: dict) -> list[dict]:
    rows = []
    for page in pages:
        if not page.applies(answers):
            continue
        for question in page.questions:
            value = answers.get(question.name, "")
            text = option_text(question, value) if question.options else (value or "Not given")
            rows.append({"key": question.summary or question.label, "value": text,
                         "href": _url(journey, page.slug, change=1) + f"#{question.name}",
                         "hidden": (question.summary or question.label).lower()})
    return rows


@public.route("/complain/check-answers", methods=["GET", "POST"])
@public_route
def check_answers():
    return _check_answers("adult")


@public.route("/complain/young-person/check-answers", methods=["GET", "POST"])
@public_route
def young_check_answers():
    return _check_answers("young_person")


def _check_answers(journey: str):
    answers = _answers(journey)
    pages = _pages(journey, answers)
    missing = _first_unanswered(pages, answers)
    if missing is not None:
        return redirect(_url(journey, missing.slug))
    errors = {}
    if request.method == "POST":
        try:
            done = public_contacts.submit(_key(journey), journey)
        except NotFound:
            return redirect(_url(journey, pages[0].slug))
        except ValidationFailed as invalid:
            errors = invalid.errors
        else:
            session[DRAFTS] = {k: v for k, v in session.get(DRAFTS, {}).items() if k != journey}
            session[DONE] = {**done, "journey": journey}
            return redirect(url_for("public.confirmation" if journey == "adult" else "public.young_confirmation"))
    return _render("public/check_answers.html", journey, title="Check your answers before sending",
                   rows=_summary_rows(journey, pages, answers), errors=errors, error_anchors={},
                   back=_url(journey, [p for p in pages if p.applies(answers)][-1].slug)), 400 if errors else 200


@public.get("/complain/confirmation")
@public_route
def confirmation():
    return _confirmation("adult")


@public.get("/complain/young-person/confirmation")
@public_route
def young_confirmation():
    return _confirmation("young_person")


def _confirmation(journey: str):
    done = session.get(DONE)
    if not done or done.get("journey") != journey:
        return redirect(url_for("public.start" if journey == "adult" else "public.young_start"))
    # A private link is shown once, and only when there was no email address to send it to.
    token = done.get("token")
    if token:
        session[DONE] = {**done, "token": None}
    link = url_for("public.status", token=token, _external=True) if token else None
    title = f"{done['kind'].capitalize()} sent" if journey == "adult" else "Thank you for telling us"
    return _render("public/confirmation.html", journey, title=title, done=done, link=link)

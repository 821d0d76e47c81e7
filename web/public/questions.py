"""The questions of the public form, one page each, in the GOV.UK question-pages pattern.

Two journeys ask them: "adult" (anyone) and "young_person" (children and young people, in plain words,
offering an advocate; the service area is always children's social care). A page parses its own answers;
engine.public_contacts turns the whole set into the intake body every channel uses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from engine.service_areas import SERVICE_AREAS

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONTACT_FIELDS = {"email": "email", "phone": "phone", "post": "address"}


@dataclass(frozen=True)
class Question:
    name: str
    kind: str  # radios, textarea, text, email, tel
    label: str
    hint: str = ""
    options: tuple = ()  # (value, text) or (value, text, hint)
    required: str = ""  # the error when left empty; "" means optional
    max_length: int = 200
    autocomplete: str | None = None
    summary: str = ""  # its name on the check-answers page, if not the label


def _always(_answers: dict) -> bool:
    return True


def _no_checks(_answers: dict) -> dict:
    return {}


@dataclass(frozen=True)
class Page:
    slug: str
    title: str  # the h1; on a one-question page it is the question itself
    questions: tuple[Question, ...]
    applies: Callable[[dict], bool] = _always
    check: Callable[[dict], dict] = _no_checks

    @property
    def one_question(self) -> bool:
        return len(self.questions) == 1

    def answered(self, answers: dict) -> bool:
        return self.questions[0].name in answers

    def parse(self, form) -> tuple[dict, dict]:
        """(answers, errors) from the submitted form; optional answers left blank are kept as ""."""
        answers, errors = {}, {}
        for question in self.questions:
            _parse_one(question, form, answers, errors)
        if not errors:
            errors = self.check(answers)
        return answers, errors


def _parse_one(question: Question, form, answers: dict, errors: dict) -> None:
    value = (form.get(question.name) or "").strip()
    if question.kind == "textarea":
        value = value.replace("\r\n", "\n")
    answers[question.name] = value
    values = [option[0] for option in question.options]
    if not value:
        if question.required:
            errors[question.name] = question.required
    elif values and value not in values:
        errors[question.name] = question.required or f"Select {question.label.lower()}"
    elif len(value) > question.max_length:
        name = question.summary or question.label
        errors[question.name] = f"{name} must be {question.max_length} characters or fewer"
    elif question.kind == "email" and not EMAIL.match(value):
        errors[question.name] = "Enter an email address in the correct format, like name@example.com"


def option_text(question: Question, value: str) -> str:
    for option in question.options:
        if option[0] == value:
            return option[1]
    return value


def _is_complaint(answers: dict) -> bool:
    return answers.get("kind") == "complaint"


def _for_someone_else(answers: dict) -> bool:
    return answers.get("on_behalf") == "someone_else"


def _some_contact(answers: dict) -> dict:
    if not any(answers.get(name) for name in ("email", "phone", "address")):
        return {"email": "Enter an email address, phone number or postal address so that we can contact you"}
    return {}


def _contact_we_have(drafted: Callable[[], dict]):
    def check(answers: dict) -> dict:
        given = drafted()
        if answers.get("preferred_contact") and not given.get(CONTACT_FIELDS[answers["preferred_contact"]]):
            return {"preferred_contact": "Choose a way to contact you that you gave us details for, "
                                         "or go back and add them"}
        return {}
    return check


def _contact_pages(drafted, *, young: bool) -> tuple[Page, Page]:
    details = Page("your-details", "How can we get in touch with you?" if young else "Your contact details", (
        Question("name", "text", "Your name" if young else "Full name", autocomplete="name",
                 required="Enter your name" if young else "Enter your full name"),
        Question("email", "email", "Email address",
                 hint="We will send your reference number and a private link to see how "
                      + ("it is going" if young else "your complaint is going") + " to this address",
                 max_length=300, autocomplete="email"),
        Question("phone", "tel", "Phone number", max_length=40, autocomplete="tel"),
        Question("address", "textarea", "Address" if young else "Postal address", max_length=1000,
                 autocomplete="street-address"),
    ), check=_some_contact)
    preference = Page("contact-preference", "What is the best way for us to contact you?" if young
                      else "How would you like us to contact you?", (
        Question("preferred_contact", "radios", "Best way to contact you", summary="Contact by",
                 options=(("email", "Email"), ("phone", "Phone"), ("post", "By letter" if young else "Post")),
                 required="Select how you would like us to contact you"),
    ), check=_contact_we_have(drafted))
    return details, preference


def adult_pages(drafted: Callable[[], dict]) -> list[Page]:
    details, preference = _contact_pages(drafted, young=False)
    return [
        Page("what-about", "What would you like to tell us about?", (
            Question("kind", "radios", "What it is about", required="Select what you would like to tell us about",
                     options=(("complaint", "A complaint", "Something went wrong, or you are unhappy with a service"),
                              ("comment", "A comment or suggestion"), ("compliment", "A compliment"))),)),
        Page("service", "Which service is it about?", (
            Question("service_area", "radios", "Service", hint="If you are not sure, choose Customer relations.",
                     options=tuple(SERVICE_AREAS.items()), required="Select the service it is about"),)),
        Page("social-care", "Is it about social care?", (
            Question("social_care", "radios", "Social care", required="Select whether it is about social care",
                     hint="Social care is support from the council's social workers and carers, for example "
                          "help at home, a care home, or support for a child and their family.",
                     options=(("children", "Yes, social care for a child or young person"),
                              ("adults", "Yes, social care for an adult"), ("none", "No"))),)),
        Page("what-happened", "What happened?", (
            Question("what_happened", "textarea", "What happened", required="Tell us what happened",
                     hint="Tell us what went wrong, when it happened, and who was involved if you know. "
                          "For a comment or compliment, tell us what it is about.", max_length=10000),)),
        Page("put-right", "What would put things right?", (
            Question("put_right", "textarea", "What would put it right",
                     hint="For example, an apology, a repair or a change in how we do things. "
                          "Leave this blank if you are not sure.", max_length=5000),), applies=_is_complaint),
        Page("contractor", "Was the service provided by a company working for the council?", (
            Question("contractor", "radios", "Provided by a company", summary="Provided by a company",
                     hint="For example, a company that collects bins or repairs roads for us.",
                     required="Select whether the service was provided by a company working for the council",
                     options=(("yes", "Yes"), ("no", "No"), ("not_sure", "I do not know"))),)),
        # Follow-up questions get their own pages rather than conditional reveals: GOV.UK Frontend's reveal sets
        # aria-expanded on radios, which is not allowed ARIA (axe-core reports it; govuk-frontend issue 979).
        Page("company-name", "What is the name of the company?", (
            Question("contractor_name", "text", "Name of the company", required="Enter the name of the company"),),
             applies=lambda answers: answers.get("contractor") == "yes"),
        Page("on-behalf", "Are you contacting us for yourself or for someone else?", (
            Question("on_behalf", "radios", "For yourself or someone else", summary="Contacting us for",
                     options=(("myself", "For myself"), ("someone_else", "For someone else")),
                     required="Select whether you are contacting us for yourself or for someone else"),)),
        Page("someone-else", "About the person you are contacting us for", (
            Question("behalf_name", "text", "Their full name", required="Enter their full name"),
            Question("behalf_relationship", "text", "Your relationship to them",
                     hint="For example, parent, partner, friend, carer or councillor",
                     required="Enter your relationship to them"),
        ), applies=_for_someone_else),
        Page("consent", "Have they agreed to you contacting us for them?", (
            Question("behalf_consent", "radios", "Their agreement", summary="Their agreement",
                     hint="We can act on a complaint for someone else if they agree, or if they cannot agree "
                          "and it is in their interest.",
                     required="Select whether they have agreed to you contacting us for them",
                     options=(("agreed", "Yes, they have agreed"),
                              ("cannot_agree", "No, they cannot agree",
                               "For example, they are a young child or cannot make this decision themselves"))),),
             applies=_for_someone_else),
        Page("consent-reason", "Why can they not agree?", (
            Question("behalf_reason", "textarea", "Why they cannot agree", required="Tell us why they cannot agree",
                     max_length=1000),),
             applies=lambda answers: _for_someone_else(answers) and answers.get("behalf_consent") == "cannot_agree"),
        details,
        preference,
    ]


def young_person_pages(drafted: Callable[[], dict]) -> list[Page]:
    details, preference = _contact_pages(drafted, young=True)
    return [
        Page("what-about", "What do you want to tell us?", (
            Question("kind", "radios", "What you want to tell us", required="Choose what you want to tell us",
                     options=(("complaint", "Something is wrong, or I am unhappy about something"),
                              ("comment", "I have an idea, or something to say"),
                              ("compliment", "I want to say thank you"))),)),
        Page("what-happened", "Tell us what happened", (
            Question("what_happened", "textarea", "What happened", required="Tell us what happened",
                     hint="Use your own words. You can tell us who was there, where it was and when it happened.",
                     max_length=10000),)),
        Page("put-right", "What would make things better for you?", (
            Question("put_right", "textarea", "What would make things better",
                     hint="You do not have to answer this if you are not sure.", max_length=5000),),
             applies=_is_complaint),
        Page("advocate", "Would you like an advocate to help you?", (
            Question("advocate", "radios", "An advocate to help you", summary="Advocate",
                     hint="An advocate is someone on your side who helps you say what you want to say. "
                          "They do not work for your social worker's team, and it is free.",
                     options=(("yes", "Yes, I would like an advocate"), ("no", "No, thank you")),
                     required="Choose yes if you would like an advocate, or no if you would not"),)),
        details,
        preference,
    ]

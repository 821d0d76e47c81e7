"""The case page: details, deadlines with why they fall then, notes, attachments, the diagram."""
from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest

from engine import clock
from tests.factories import at

from .officer_client import csrf_token

TODAY = date(2025, 12, 22)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _get(client, url):
    with clock.frozen_at(at(TODAY)):
        return client.get(url)


def _post(client, url, data, page):
    with clock.frozen_at(at(TODAY)):
        return client.post(url, data={**data, "csrf_token": csrf_token(client, page)},
                           content_type="multipart/form-data" if any(isinstance(v, tuple) for v in data.values())
                           else None)


def _upload(client, reference, name, content):
    return _post(client, f"/cases/{reference}/attachments", {"attachment": (io.BytesIO(content), name)},
                 f"/cases/{reference}")


def test_the_case_page_shows_the_details_and_each_deadline_with_why_it_falls_then(case, as_user):
    response = _get(as_user("highways.officer"), f"/cases/{case['reference']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert case["reference"] in html and "Pothole reported three times, not repaired" in html
    assert "Sam Resident" in html and "Outside 12 Mill Lane" in html
    assert "Where the case is now" in html and "Acknowledge complaint" in html
    assert "Why this date" in html
    for deadline in case["deadlines"]:
        assert deadline["basis"].replace("'", "&#39;") in html
    assert "working days from" in html and "bank holiday" in html
    assert re.search(r'govuk-tag[^"]*">\s*(Open|Due soon)', html)


def test_a_case_of_another_team_is_not_found(case, as_user):
    assert _get(as_user("waste.officer"), f"/cases/{case['reference']}").status_code == 404
    assert _get(as_user("highways.officer"), "/cases/CMP-2025-999999").status_code == 404


def test_a_note_appears_in_the_timeline_newest_first(case, as_user):
    client = as_user("highways.officer")
    url = f"/cases/{case['reference']}"
    response = _post(client, f"{url}/notes", {"note": "Rang Sam back: the road is still not fixed."}, url)
    assert response.status_code == 302
    html = _get(client, url).get_data(as_text=True)
    assert "Note added to the case history" in html
    timeline = html[html.index('id="timeline"'):]
    assert timeline.index("Rang Sam back: the road is still not fixed.") < timeline.index("received by phone")


def test_an_empty_note_shows_the_error_summary(case, as_user):
    url = f"/cases/{case['reference']}"
    response = _post(as_user("highways.officer"), f"{url}/notes", {"note": "   "}, url)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and '<a href="#note">Enter a note</a>' in html
    assert "<title>Error:" in html


def test_a_note_on_a_case_of_another_team_is_refused(case, as_user):
    client = as_user("waste.officer")
    response = _post(client, f"/cases/{case['reference']}/notes", {"note": "Not mine"}, "/tasks")
    assert response.status_code == 404


def test_an_attachment_is_uploaded_and_downloaded(case, as_user, app):
    client = as_user("highways.officer")
    reference = case["reference"]
    response = _upload(client, reference, "letter.pdf", PDF)
    assert response.status_code == 302, response.get_data(as_text=True)
    html = _get(client, f"/cases/{reference}").get_data(as_text=True)
    assert "letter.pdf attached to the case" in html
    link = re.search(rf'href="(/cases/{reference}/attachments/\d+)"', html).group(1)
    assert "Attachment added" in html
    download = _get(as_user("cr.officer"), link)
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"] and "letter.pdf" in download.headers[
        "Content-Disposition"]
    # Stored outside the web root, under a random name.
    import os
    stored = os.listdir(app.config["UPLOAD_DIR"])
    assert stored and "letter.pdf" not in stored
    assert _get(as_user("waste.officer"), link).status_code == 404
    assert _get(client, f"/cases/{reference}/attachments/999999").status_code == 404


@pytest.mark.parametrize("name, content, message", [
    ("run.exe", b"MZ\x90\x00", "The selected file must be a PDF"),
    ("fake.pdf", b"<html><script>alert(1)</script>", "not a real PDF file"),
    ("photo.png", PDF, "not a real PNG file"),
    ("letter.docx", b"PK\x03\x04not really a zip", "not a real DOCX file"),
    ("empty.txt", b"", "The selected file is empty"),
])
def test_a_file_of_the_wrong_type_is_refused(case, as_user, name, content, message):
    reference = case["reference"]
    response = _upload(as_user("highways.officer"), reference, name, content)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and 'href="#attachment"' in html and message in html
    assert "No files are attached." in html


def test_a_file_over_the_size_limit_is_refused(case, as_user, app):
    limit = app.config["MAX_UPLOAD_BYTES"]
    app.config["MAX_UPLOAD_BYTES"] = 1024
    try:
        response = _upload(as_user("highways.officer"), case["reference"], "big.txt", b"a" * 2048)
    finally:
        app.config["MAX_UPLOAD_BYTES"] = limit
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The selected file must be smaller than 1KB" in html and 'href="#attachment"' in html


def test_the_diagram_xml_is_served_to_those_who_may_see_the_case(case, as_user):
    reference = case["reference"]
    client = as_user("highways.officer")
    html = _get(client, f"/cases/{reference}").get_data(as_text=True)
    assert 'id="case-diagram"' in html and "<figcaption" in html and "bpmn-navigated-viewer.production.min.js" in html
    progress = json.loads(re.search(r"data-progress='([^']*)'", html).group(1))
    assert progress["current"] == ["Task_acknowledge"]
    assert {"Start_complaint_received", "Script_set_acknowledgement_deadline"} <= set(progress["completed"])
    assert {"Timer_acknowledge_reminder", "Timer_acknowledge_overdue"} <= set(progress["waiting"])
    response = _get(client, f"/cases/{reference}/diagram.bpmn")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    xml = response.get_data(as_text=True)
    assert "bpmn:definitions" in xml or "<definitions" in xml
    for spec_id in progress["completed"] + progress["current"] + progress["waiting"]:
        assert f'id="{spec_id}"' in xml
    assert _get(as_user("waste.officer"), f"/cases/{reference}/diagram.bpmn").status_code == 404

"""Process owners' pages: drafts from deployed versions, save through the modeller, review by a second owner."""
import itertools
import json
import re

import pytest

from engine import registry
from engine.models import ProcessDraft, db
from tests.factories import make_user
from tests.diagrams import NOTE_FORM, two_tasks
from tests.web.officer_client import csrf_token, post_form

_serial = itertools.count(1)


@pytest.fixture
def version(app, tmp_path):
    """A process of its own (versions outlive a test, and the real procedures must stay as deployed)."""
    pid = f"paged_{next(_serial)}"
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "note.json").write_text(json.dumps(NOTE_FORM))
    (tmp_path / f"{pid}.bpmn").write_text(two_tasks(pid))
    registry.deploy_paths([tmp_path / f"{pid}.bpmn"], "cli")
    db.session.commit()
    return registry.latest_version(pid)


def owners(as_user):
    make_user(username="po.one", roles=("process_owner",), teams=())
    make_user(username="po.two", roles=("process_owner",), teams=())
    return as_user("po.one"), as_user("po.two")


def test_only_process_owners_see_the_procedures(app, as_user):
    make_user(username="plain.officer")
    assert as_user("plain.officer").get("/processes").status_code == 404
    one, _ = owners(as_user)
    page = one.get("/processes")
    assert page.status_code == 200 and b"corporate_complaint" in page.data


def test_edit_save_submit_and_approve_in_the_browser_path(version, as_user):
    one, two = owners(as_user)
    created = post_form(one, f"/processes/versions/{version.id}/drafts", token_from="/processes")
    assert created.status_code == 302
    draft_url = created.headers["Location"]
    draft_id = int(draft_url.rstrip("/").rsplit("/", 1)[1])
    page = one.get(draft_url)
    assert page.status_code == 200 and b'id="modeller"' in page.data and b"The diagram passes every check" in page.data
    renamed = version.xml.replace('name="Acknowledge"', 'name="Acknowledge the complaint in writing"')
    assert renamed != version.xml
    saved = one.post(f"/processes/drafts/{draft_id}/diagram", json={"xml": renamed},
                     headers={"X-CSRFToken": csrf_token(one, draft_url)})
    assert saved.status_code == 200 and saved.json["saved"] and saved.json["ok"], saved.json
    assert b"Acknowledge the complaint in writing" in one.get(draft_url).data
    assert post_form(one, f"/processes/drafts/{draft_id}/submit", {"change_note": "Say in writing"},
                     token_from=draft_url).status_code == 302
    assert b"Another process owner" in one.get(draft_url).data  # the author cannot approve
    approved = post_form(two, f"/processes/drafts/{draft_id}/approve", token_from=draft_url)
    assert approved.status_code == 302
    latest = registry.latest_version(version.process_id)
    assert latest.version == version.version + 1 and latest.approved_by == "po.two"
    assert db.session.get(ProcessDraft, draft_id).status == "deployed"
    diff_page = two.get(f"/processes/versions/{latest.id}")
    assert "Acknowledge the complaint in writing" in diff_page.get_data(as_text=True)


def test_a_broken_save_lists_the_problems(version, as_user):
    one, _ = owners(as_user)
    draft_url = post_form(one, f"/processes/versions/{version.id}/drafts", token_from="/processes").headers["Location"]
    draft_id = int(draft_url.rsplit("/", 1)[1])
    broken = re.sub(r"<bpmn:flowNodeRef>[^<]*</bpmn:flowNodeRef>", "", version.xml, count=0)
    saved = one.post(f"/processes/drafts/{draft_id}/diagram", json={"xml": broken},
                     headers={"X-CSRFToken": csrf_token(one, draft_url)})
    assert saved.status_code == 200 and not saved.json["ok"]
    assert any("is in no lane" in e for e in saved.json["errors"])


def test_download_and_upload_of_files(app, as_user):
    one, _ = owners(as_user)
    version = registry.latest_version("procedure_for_contact")
    download = one.get(f"/processes/versions/{version.id}/download")
    assert download.status_code == 200 and download.headers["Content-Disposition"].endswith('triage.dmn"')
    from io import BytesIO

    uploaded = one.post("/processes/upload", data={"csrf_token": csrf_token(one, "/processes"),
                                                   "diagram": (BytesIO(download.data), "triage.dmn")})
    assert uploaded.status_code == 302
    page = one.get(uploaded.headers["Location"])
    assert page.status_code == 200 and b'data-kind="dmn"' in page.data


def test_the_form_preview_renders_gov_uk_fields(app, as_user):
    one, _ = owners(as_user)
    preview = one.post("/processes/form-preview", json={"schema": '{"type": "object", "properties": '
                                                                  '{"reason": {"type": "string", "title": "Reason"}}}'},
                       headers={"X-CSRFToken": csrf_token(one, "/processes")})
    assert preview.status_code == 200 and b"govuk-input" in preview.data and b"Reason" in preview.data

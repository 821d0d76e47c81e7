"""Files kept with a case: checked (size, type by name and by content), stored outside the web root
under a random name, listed and opened only for people who may see the case."""
from __future__ import annotations

import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select

from . import audit, clock
from .cases import find_visible_case
from .errors import NotFound, ValidationFailed
from .models import Attachment, User, db
from .transaction import transactional

FIELD = "attachment"
CHUNK = 64 * 1024
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old Office container: .doc and Outlook .msg
# Extension → (content type we serve it as, signatures its first bytes must start with; None: text, no NUL bytes).
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    "doc": ("application/msword", (OLE,)),
    "msg": ("application/vnd.ms-outlook", (OLE,)),
    "txt": ("text/plain", None),
    "eml": ("message/rfc822", None),
}
ALLOWED_NAMES = "PDF, Word (DOC or DOCX), ODT, TXT, PNG, JPG, EML or MSG"


@dataclass
class StoredFile:
    path: Path
    original_filename: str
    content_type: str
    size: int


def _refuse(message: str):
    raise ValidationFailed({FIELD: message}, message)


def _extension(filename: str) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


def _clean_name(filename: str) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>')
    return name[-255:] or "attachment"


def _looks_right(extension: str, head: bytes, path: Path) -> bool:
    _, signatures = ALLOWED[extension]
    if signatures is None:
        return b"\x00" not in head
    if not head.startswith(signatures):
        return False
    if extension in ("docx", "odt"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if extension == "docx":
                    return "[Content_Types].xml" in names and any(n.startswith("word/") for n in names)
                return "mimetype" in names and archive.read("mimetype").startswith(
                    b"application/vnd.oasis.opendocument.text")
        except (zipfile.BadZipFile, OSError, KeyError):
            return False
    return True


def store_attachment(reference: str, filename: str, stream: BinaryIO, *, user: User, upload_dir: str,
                     max_bytes: int) -> dict:
    """Check and keep an uploaded file with the case; ValidationFailed({"attachment": ...}) if refused."""
    find_visible_case(reference, user)  # before reading a byte: NotFound for a case the user may not see
    if not (filename or "").strip():
        _refuse("Select a file")
    extension = _extension(filename)
    if extension not in ALLOWED:
        _refuse(f"The selected file must be a {ALLOWED_NAMES}")
    folder = Path(upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    path = folder / stored_name
    try:
        size, head = 0, b""
        with open(path, "xb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    _refuse(f"The selected file must be smaller than {size_limit_text(max_bytes)}")
                if len(head) < 8192:
                    head += chunk[: 8192 - len(head)]
                out.write(chunk)
        if size == 0:
            _refuse("The selected file is empty")
        if not _looks_right(extension, head, path):
            _refuse(f"The selected file is not a real {extension.upper()} file; it must be a {ALLOWED_NAMES}")
        return _record(reference, _clean_name(filename), ALLOWED[extension][0], size, stored_name, user=user)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def size_limit_text(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}MB" if limit >= 1024 * 1024 else f"{limit // 1024 or 1}KB"


@transactional
def _record(reference: str, filename: str, content_type: str, size: int, stored_name: str, *, user: User) -> dict:
    case = find_visible_case(reference, user)
    attachment = Attachment(case_id=case.id, original_filename=filename, content_type=content_type, size=size,
                            stored_name=stored_name, uploaded_by=user.username, uploaded_at=clock.now())
    db.session.add(attachment)
    db.session.flush()
    audit.record(case.id, user.username, "attachment_added", f"{filename} ({_size_text(size)})")
    return attachment_view(attachment)


def _size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f}KB"
    return f"{size / (1024 * 1024):.1f}MB"


def attachment_view(attachment: Attachment) -> dict:
    return {"id": attachment.id, "filename": attachment.original_filename,
            "content_type": attachment.content_type, "size": attachment.size,
            "size_text": _size_text(attachment.size), "uploaded_by": attachment.uploaded_by,
            "uploaded_at": attachment.uploaded_at.isoformat()}


def attachments_of(case_id: int) -> list[dict]:
    rows = db.session.scalars(select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id))
    return [attachment_view(a) for a in rows]


def list_attachments(reference: str, *, user: User) -> list[dict]:
    return attachments_of(find_visible_case(reference, user).id)


def open_attachment(reference: str, attachment_id: int, *, user: User, upload_dir: str) -> StoredFile:
    """The file to send, only to those who may see the case; NotFound otherwise, as for a missing one."""
    case = find_visible_case(reference, user)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        raise NotFound("No such attachment")
    path = Path(upload_dir) / attachment.stored_name
    if not path.is_file():
        raise NotFound("The file is missing")
    return StoredFile(path, attachment.original_filename, attachment.content_type, attachment.size)

"""Check an uploaded file by its content, never by its name or the browser's content type.

Magic bytes (the `filetype` library) tell PDF, PNG and JPEG apart from programs and archives;
Word and Excel files are zip archives, so we open the archive and look for the parts a real
.docx / .xlsx has (and refuse macro-carrying ones); plain text is what is left when the bytes
decode as UTF-8 or GB 18030 text without control characters.
"""

import hashlib
import io
import os
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "text/plain"
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", DOCX: ".docx", XLSX: ".xlsx", TEXT: ".txt"}

_HEAD = 8192
_TEXT_CONTROL_OK = {"\t", "\n", "\r", "\f"}


@dataclass(frozen=True)
class Inspected:
    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str


def clean_file_name(name: str) -> str:
    """Return a display-safe base name (no path, no control characters, at most 200 chars)."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > 200:
        stem, ext = os.path.splitext(base)
        base = stem[: 200 - len(ext)] + ext
    return base or "file"


def _allowed_list() -> str:
    return _("PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or plain text")


def _office_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return "macro"
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROL_OK
                       for ch in text)
    return False


def _read_all(file, max_bytes: int) -> bytes:
    """Read at most max_bytes + 1 bytes, so an oversize file is told apart without reading it all."""
    if hasattr(file, "seek"):
        file.seek(0)
    chunks, total = [], 0
    while total <= max_bytes:
        chunk = file.read(min(1024 * 1024, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if hasattr(file, "seek"):
        file.seek(0)
    return b"".join(chunks)


def attachment_inspect(file, *, max_bytes: int) -> Inspected:
    """Return what `file` really is, or raise ValidationError with a message naming the file."""
    name = clean_file_name(getattr(file, "name", ""))
    data = _read_all(file, max_bytes)
    if len(data) > max_bytes:
        raise ValidationError(
            _("“%(name)s” is too large: the largest file accepted is %(max)s.")
            % {"name": name, "max": filesizeformat(max_bytes)}, code="too_large",
        )
    if not data:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")

    kind = filetype.guess(data[:_HEAD])
    content_type = None
    if kind is None:
        content_type = TEXT if _is_text(data) else None
    elif kind.mime in (PDF, PNG, JPEG):
        content_type = kind.mime
    elif kind.mime in ("application/zip", DOCX, XLSX):
        office = _office_type(data)
        if office == "macro":
            raise ValidationError(
                _("“%(name)s” contains macros, which are not accepted. Save it as a plain "
                  "Word or Excel file (.docx, .xlsx) or as PDF.") % {"name": name},
                code="macro",
            )
        content_type = office
    if content_type is None:
        found = kind.mime if kind else _("unknown binary data")
        raise ValidationError(
            _("“%(name)s” is not a file type we accept (its content is %(found)s, whatever its "
              "name says). Please upload %(allowed)s.")
            % {"name": name, "found": found, "allowed": _allowed_list()},
            code="file_type",
        )
    return Inspected(content_type=content_type, extension=EXTENSIONS[content_type],
                     size=len(data), sha256=hashlib.sha256(data).hexdigest(), original_name=name)

"""Attachments are checked by content and size, never by name (issue 3)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from portal.cases.attachments import DOCX, JPEG, PDF, PNG, TEXT, XLSX, attachment_inspect
from portal.cases.models import Case, EngineSettings
from portal.cases.services import attachments_check

from .factories import (
    EXE_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    office_bytes,
    submit_case,
    upload,
)

MB = 1024 * 1024


@pytest.mark.parametrize(("name", "data", "expected", "extension"), [
    ("report.pdf", PDF_BYTES, PDF, ".pdf"),
    ("photo.png", PNG_BYTES, PNG, ".png"),
    ("photo.jpeg", JPEG_BYTES, JPEG, ".jpg"),
    ("letter.docx", office_bytes("word"), DOCX, ".docx"),
    ("sheet.xlsx", office_bytes("xl"), XLSX, ".xlsx"),
    ("notes.txt", "营商环境：材料清单\n第二行".encode(), TEXT, ".txt"),
    ("gbk.txt", "企业诉求说明".encode("gb18030"), TEXT, ".txt"),
    # The name does not matter, the content does: a real PNG called .pdf is a PNG.
    ("scan.pdf", PNG_BYTES, PNG, ".png"),
])
def test_accepted_files_are_recognised_by_content(name, data, expected, extension):
    info = attachment_inspect(upload(name, data), max_bytes=10 * MB)
    assert (info.content_type, info.extension, info.size) == (expected, extension, len(data))
    assert len(info.sha256) == 64


@pytest.mark.parametrize(("name", "data", "says"), [
    ("invoice.pdf", EXE_BYTES, "application/x-msdownload"),
    ("broken.docx", b"PK\x03\x04" + b"\x00" * 60, ""),  # a zip header, no archive
    ("empty.xlsx", b"PK\x05\x06" + b"\x00" * 18, ""),  # an empty zip archive
    ("program.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 60, "application/x-executable"),
    ("binary.txt", bytes(range(1, 32)) * 4, "unknown binary data"),
])
def test_disguised_or_unknown_files_are_refused_naming_the_file(name, data, says):
    with pytest.raises(ValidationError) as exc:
        attachment_inspect(upload(name, data), max_bytes=10 * MB)
    message = exc.value.messages[0]
    assert f"“{name}” is not a file type we accept" in message
    assert says in message
    assert "PDF, PNG, JPEG" in message


def test_a_zip_that_is_not_an_office_file_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", EXE_BYTES)
    with pytest.raises(ValidationError, match="not a file type we accept"):
        attachment_inspect(upload("contract.docx", buffer.getvalue()), max_bytes=10 * MB)


def test_office_files_with_macros_are_refused():
    with pytest.raises(ValidationError, match="contains macros"):
        attachment_inspect(upload("budget.xlsx", office_bytes("xl", macro=True)),
                           max_bytes=10 * MB)


def test_oversize_file_is_refused_with_the_limit_in_the_message():
    data = PDF_BYTES + b"0" * (2 * MB)
    with pytest.raises(ValidationError) as exc:
        attachment_inspect(upload("big.pdf", data), max_bytes=2 * MB)
    assert exc.value.messages == ["“big.pdf” is too large: the largest file accepted is 2.0\xa0MB."]


def test_empty_file_is_refused():
    with pytest.raises(ValidationError, match="is empty"):
        attachment_inspect(upload("empty.pdf", b""), max_bytes=MB)


def test_path_and_control_characters_are_removed_from_the_name():
    info = attachment_inspect(upload("../../etc/pass\x00wd.txt", b"hello"), max_bytes=MB)
    assert info.original_name == "passwd.txt"


@pytest.mark.django_db
def test_size_and_count_limits_come_from_engine_settings():
    settings = EngineSettings.load()
    settings.attachment_max_bytes = 2048
    settings.attachment_max_count = 2
    settings.save()
    with pytest.raises(ValidationError) as exc:
        attachments_check([upload("a.pdf", PDF_BYTES + b"0" * 4096)])
    assert "2.0\xa0KB" in exc.value.message_dict["files"][0]
    with pytest.raises(ValidationError) as exc:
        attachments_check([upload(f"{i}.pdf", PDF_BYTES) for i in range(3)])
    assert exc.value.message_dict["files"] == ["You can attach at most 2 files at once."]


@pytest.mark.django_db
def test_every_bad_file_is_listed_at_once():
    with pytest.raises(ValidationError) as exc:
        attachments_check([upload("a.pdf", EXE_BYTES), upload("ok.png", PNG_BYTES),
                           upload("b.docx", EXE_BYTES)])
    errors = exc.value.message_dict["files"]
    assert len(errors) == 2 and "a.pdf" in errors[0] and "b.docx" in errors[1]


@pytest.mark.django_db
def test_the_migration_counts_the_files_each_case_already_has():
    """cases 0010 counts the files of the cases filed before Case.attachment_count: a case whose
    count the migration must set reads its files for its timeline, one without stays at 0."""
    import importlib

    count_sql = importlib.import_module(
        "portal.cases.migrations.0010_case_attachment_count").COUNT
    with_files = submit_case(files=[upload("a.pdf", PDF_BYTES), upload("b.png", PNG_BYTES)])
    without = submit_case()
    Case.objects.update(attachment_count=0)  # as the column came, before its count
    with connection.cursor() as cursor:
        cursor.execute(count_sql)
    counts = dict(Case.objects.values_list("pk", "attachment_count"))
    assert (counts[with_files.pk], counts[without.pk]) == (2, 0)

"""Factories for the case engine. Cases are made through the services, so every test case has
the timeline, clocks and ledger entries the real ones have."""

import datetime

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.appeals.constants import AppealType
from portal.appeals.services import appeal_submit
from portal.cases import services
from portal.cases.models import Category, ReplyTemplate
from tests.factories import enterprise_user, unit_official

# Smallest real files of each accepted kind, made here rather than shipped.
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
             b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e2260d7e0000000049454e44ae426082"
)
JPEG_BYTES = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def office_bytes(kind: str, *, macro: bool = False) -> bytes:
    """Return a minimal .docx ("word") or .xlsx ("xl") archive."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        if kind == "word":
            archive.writestr("word/document.xml", "<w:document/>")
        else:
            archive.writestr("xl/workbook.xml", "<workbook/>")
        if macro:
            archive.writestr(f"{kind}/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"topic-{n}")
    name_zh_hans = factory.Sequence(lambda n: f"测试类别{n}")
    name_zh_hant = factory.Sequence(lambda n: f"測試類別{n}")
    name_en = factory.Sequence(lambda n: f"Test category {n}")


class ReplyTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReplyTemplate

    title = factory.Sequence(lambda n: f"Template {n}")
    body = "您好，您反映的问题已办理。"


def submit_case(submitter=None, *, category=None, subtype=AppealType.HELP, title=None,
                description="我司办理施工许可证时材料被多次退回，希望明确所需材料清单。",
                subject_unit=None, files=()):
    submitter = submitter or enterprise_user()
    submit_case.n = getattr(submit_case, "n", 0) + 1
    return appeal_submit(
        submitter=submitter, title=title or f"施工许可办理问题 {submit_case.n}",
        description=description, category=category or CategoryFactory(),
        subtype=subtype, subject_unit=subject_unit, files=files,
    )


def assigned_case(dispatcher, unit, **kwargs):
    return services.case_assign(case=submit_case(**kwargs), actor=dispatcher, unit=unit)


def signed_case(dispatcher, unit, official=None, **kwargs):
    official = official or unit_official(unit)
    case = assigned_case(dispatcher, unit, **kwargs)
    return services.case_sign_for(case=case, actor=official)


def answered_case(dispatcher, unit, official=None, **kwargs):
    official = official or unit_official(unit)
    case = signed_case(dispatcher, unit, official, **kwargs)
    return services.case_answer(case=case, actor=official, answer="已为您协调，材料清单见附件。")


def local_dt(*args) -> datetime.datetime:
    """An aware datetime in Asia/Shanghai, for time_machine."""
    from zoneinfo import ZoneInfo

    return datetime.datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai"))


# Appeals about two recurring problems, for the pain-point tests: invoices (3) and land (4).
INVOICES = [
    ("增值税专用发票领用额度太低，影响开票", "我司每月需要开具大量发票，额度不够用。"),
    ("电子发票无法开具", "系统一直提示发票额度不足，请帮助解决。"),
    ("发票领用流程繁琐", "领用发票需要跑多次税务大厅。"),
]
LAND = [
    ("工业用地审批太慢", "新厂房用地审批已等半年。"),
    ("用地指标不足", "园区用地指标紧张，项目无法落地。"),
    ("用地规划调整", "希望调整地块用地性质。"),
    ("临时用地手续", "临时用地手续不清楚。"),
]


def notice_date(day) -> str:
    """A date as notices write it to a reader of English (the test users' language)."""
    import datetime

    from django.utils import translation
    from django.utils.formats import date_format

    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    with translation.override("en"):
        return date_format(day, "DATE_FORMAT")

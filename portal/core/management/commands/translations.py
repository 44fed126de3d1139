"""Keep the three languages complete.

    manage.py translations update   # extract strings, derive zh-hant and en, compile
    manage.py translations check    # exit 1 listing every string not translated

zh-hans is written by people (locale/zh_Hans/LC_MESSAGES/django.po). zh-hant is derived from it
with OpenCC's Simplified→Traditional (Hong Kong) conversion unless an entry carries the
translator comment "manual", which keeps a hand-written Traditional text. English msgids are the
source strings, so en gets msgstr = msgid.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LANGS = ["zh_Hans", "zh_Hant", "en"]
IGNORE = [".venv", "venv", "node_modules", "var", "test-artifacts", "bench", "tests", "docs"]


def po_path(base: Path, lang: str) -> Path:
    return base / "locale" / lang / "LC_MESSAGES" / "django.po"


def extract(base: Path) -> None:
    args = [sys.executable, "manage.py", "makemessages", "--no-location", "--no-wrap",
            "--no-obsolete", *[f"--locale={lang}" for lang in LANGS],
            *[f"--ignore={i}/*" for i in IGNORE]]
    subprocess.run(args, cwd=base, check=True, capture_output=True)  # noqa: S603


def derive(base: Path) -> None:
    import opencc

    converter = opencc.OpenCC("s2hk")
    hans = polib.pofile(str(po_path(base, "zh_Hans")), wrapwidth=0)
    by_key = {(e.msgctxt, e.msgid): e for e in hans}
    hant = polib.pofile(str(po_path(base, "zh_Hant")), wrapwidth=0)
    for entry in hant:
        if "manual" in (entry.tcomment or ""):
            continue
        source = by_key.get((entry.msgctxt, entry.msgid))
        if source is None:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {k: converter.convert(v) for k, v in source.msgstr_plural.items()}
        else:
            entry.msgstr = converter.convert(source.msgstr)
        if "fuzzy" in entry.flags and "fuzzy" not in source.flags:
            entry.flags.remove("fuzzy")
    hant.save()
    en = polib.pofile(str(po_path(base, "en")), wrapwidth=0)
    for entry in en:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    en.save()


def missing(base: Path) -> list[str]:
    problems = []
    for lang in LANGS:
        path = po_path(base, lang)
        if not path.exists():
            problems.append(f"{lang}: {path} is missing")
            continue
        po = polib.pofile(str(path))
        for entry in po:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{lang}: fuzzy: {entry.msgid!r}")
            elif not entry.translated():
                problems.append(f"{lang}: untranslated: {entry.msgid!r}")
    return problems


class Command(BaseCommand):
    help = "Extract, derive and check the zh-hans, zh-hant and en translations."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["update", "check"])

    def handle(self, *args, **options):
        base = Path(settings.BASE_DIR)
        if options["action"] == "update":
            extract(base)
            derive(base)
            call_command("compilemessages", locale=LANGS, ignore=IGNORE, verbosity=0)
            problems = missing(base)
            for p in problems:
                self.stdout.write(p)
            self.stdout.write(f"{len(problems)} entries still need a translation")
            return
        # check: extract into a scratch copy so that the working tree is not touched
        with tempfile.TemporaryDirectory() as tmp:
            scratch = Path(tmp) / "src"
            shutil.copytree(base, scratch, ignore=shutil.ignore_patterns(
                ".git", ".venv", "venv", "node_modules", "var", "test-artifacts", "*.pyc"))
            extract(scratch)
            problems = missing(scratch)
        if problems:
            raise CommandError("Strings without a translation:\n" + "\n".join(problems))
        self.stdout.write("All strings are translated in zh-hans, zh-hant and en.")

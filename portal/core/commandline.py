"""What manage.py says when no database is configured and no `make run` is running.

The development settings find the database in DATABASE_URL (environment or .env) or in the
record of the `make run` that is running (portal/settings/running.py). With neither, a command
that needs the database would fail with a connection traceback naming a database nobody made;
it says instead, in one line in the terminal's language, how to start the portal.
"""

import os
import sys

# Commands that work without a database (the rest need one, or may).
NO_DATABASE = frozenset({
    "help", "version", "check", "diffsettings", "compilemessages", "makemessages",
    "translations", "collectstatic", "findstatic", "spectacular", "startapp", "startproject",
    "demo_totp",
    # Reads the models and the migration files; Django only warns when it cannot reach the
    # database to check the applied history (the pre-commit check runs it with nothing up).
    "makemigrations",
})


def terminal_language(default: str) -> str:
    """Return the portal's language closest to the terminal's locale (LC_ALL, LC_MESSAGES,
    LANG: zh_CN → zh-hans, zh_TW / zh_HK → zh-hant, en_US → en), else `default`."""
    from django.utils import translation

    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        locale = os.environ.get(name, "").split(".")[0].split("@")[0]
        if locale:
            try:
                return translation.get_supported_language_variant(translation.to_language(locale))
            except LookupError:
                return default
    return default


def refuse_without_database(argv: list[str]) -> None:
    """Exit with one translated line when `argv`'s command needs a database the settings
    could not find (development settings, nothing configured, nothing running)."""
    from django.conf import settings

    command = argv[1] if len(argv) > 1 else "help"
    if command.startswith("-") or command in NO_DATABASE:
        return
    if getattr(settings, "PORTAL_DATABASE_FROM", "environment") is not None:
        return
    import django
    from django.utils import translation
    from django.utils.translation import gettext

    django.setup()
    with translation.override(terminal_language(settings.LANGUAGE_CODE)):
        message = gettext("The portal is not running: start it with `make run` in another "
                          "terminal (its database and Redis start with it), or set "
                          "DATABASE_URL and REDIS_URL.")
    sys.stderr.write(message + "\n")
    raise SystemExit(1)

"""Create demo data, idempotently: units, enterprises, people of every role, and content.

Each app may add its own demo content in `<app>/demo.py` with `seed(ctx: dict) -> None`;
they run in INSTALLED_APPS order after the core data, with `ctx` holding what came before.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_PASSWORD = "Demo-2026-yingshang"  # noqa: S105 - demo data only, printed for the operator
# A fixed TOTP secret for demo staff, so an authenticator app can be set up from the README.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


class Command(BaseCommand):
    help = "Create demo units, enterprises, users of every role and content (idempotent)."

    def handle(self, *args, **options):
        from portal.core import demo

        with transaction.atomic():
            ctx = demo.seed_core(password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
            for config in apps.get_app_configs():
                module = f"{config.name}.demo"
                if config.name != "portal.core" and find_spec(module) is not None:
                    import_module(module).seed(ctx)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo logins (password for all: "
                                             f"{DEMO_PASSWORD}):"))
        for role, email in ctx["logins"]:
            self.stdout.write(f"  {email:<32} {role}")
        self.stdout.write(f"Staff accounts use TOTP: add the secret {DEMO_TOTP_SECRET} to any "
                          "authenticator app, or run `manage.py demo_totp` for the current code.")

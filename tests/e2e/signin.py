"""Signing in through the real allauth pages, for the browser journeys."""

import re

from playwright.sync_api import expect

from tests.totp import current_code

# The password tests.factories gives every user.
PASSWORD = "correct-horse-battery"


def sign_in(page, base: str, email: str) -> None:
    """Sign in with e-mail and password on the sign-in page."""
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def staff_sign_in(page, base: str, user, secret: str, axe_check,
                  path: str = "/admin/cases/case/") -> None:
    """Open an admin page; sign in with the password, then the TOTP code; land on the page.
    axe checks both sign-in pages."""
    page.goto(base + path)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    axe_check(page)
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    axe_check(page)
    page.fill("#id_code", current_code(secret))
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))

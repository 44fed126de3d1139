"""Smoke journeys in a real Chromium: the home page, on a desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import fits_the_phone

pytestmark = pytest.mark.e2e

SITE_TITLE = "营商环境政企通"
# Noto Sans CJK (Debian fonts-noto-cjk) covers Chinese; without it Chromium paints boxes.
CJK_FONT_HINTS = ("CJK", "Noto Sans SC", "Noto Serif SC")


def test_home_page_shows_the_chinese_site_title_in_real_glyphs(
    page, live_server, axe_check, shot, rendered_fonts
):
    response = page.goto(live_server.url + "/")

    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(SITE_TITLE)
    assert SITE_TITLE in page.title()
    # Every one of the seven characters was drawn with a CJK font, so none is a box (豆腐).
    fonts = rendered_fonts(page, "h1")
    cjk_glyphs = sum(n for family, n in fonts.items() if any(h in family for h in CJK_FONT_HINTS))
    assert cjk_glyphs >= len(SITE_TITLE), f"h1 painted with {fonts}; install fonts-noto-cjk"
    axe_check(page)
    path = shot(page, "home")
    assert path.stat().st_size > 10_000


def test_home_page_fits_a_phone_screen_without_sideways_scrolling(
    phone_page, live_server, axe_check, shot
):
    phone_page.goto(live_server.url + "/")

    expect(phone_page.get_by_role("heading", level=1)).to_have_text(SITE_TITLE)
    fits_the_phone(phone_page)
    axe_check(phone_page)
    shot(phone_page, "home-phone")


def test_axe_check_fails_a_page_with_an_image_without_alt_text(page, axe_check):
    """The accessibility gate is live: a critical violation fails the test that checks it."""
    page.set_content(
        '<!doctype html><html lang="zh-Hans"><head><title>t</title></head>'
        '<body><main><h1>标题</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "</main></body></html>"
    )

    with pytest.raises(pytest.fail.Exception) as failed:
        axe_check(page)

    assert "image-alt (critical)" in str(failed.value)

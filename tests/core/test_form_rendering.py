"""Forms that fail say what is wrong and where (issue 12): an error summary linking to each
field, each message tied to its field by an id that exists, and "Enter …" / "Choose …" instead
of "This field is required.", in the three languages, on our pages and allauth's alike."""

from html.parser import HTMLParser

import pytest

from portal.orgs.models import Industry
from tests.factories import enterprise_user

pytestmark = pytest.mark.django_db


class _Elements(HTMLParser):
    """Every start tag of a page with its attributes, and the text inside the summary."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.summary_links: list[tuple[str, str]] = []
        self._link: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag == "a" and (attrs.get("href") or "").startswith("#"):
            self._link, self._text = attrs["href"][1:], []

    def handle_data(self, data):
        if self._link is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.summary_links.append((self._link, "".join(self._text).strip()))
            self._link = None


def parse(html: str) -> _Elements:
    start = html.index("<main")
    parser = _Elements()
    parser.feed(html[start:])
    return parser


def check_errors_are_tied(html: str) -> dict[str, str]:
    """Assert the summary's links reach fields and every invalid field's description exists;
    return {field id: message} from the summary."""
    page = parse(html)
    ids = {attrs["id"] for _tag, attrs in page.elements if attrs.get("id")}
    summaries = [attrs for _tag, attrs in page.elements if "data-error-summary" in attrs]
    assert len(summaries) == 1, "one error summary at the top of the failed form"
    assert summaries[0].get("tabindex") == "-1", "the summary can take focus"
    links = [(target, text) for target, text in page.summary_links if target != "main"]
    assert links, "the summary links to the fields"
    for target, _text in links:
        assert target in ids, f"the summary links to #{target}, which is not on the page"
    position = {attrs["id"]: i for i, (_tag, attrs) in enumerate(page.elements) if attrs.get("id")}
    order = [target for target, _text in links]
    assert order == sorted(order, key=position.get), "the summary lists problems in page order"
    invalid = [attrs for _tag, attrs in page.elements if attrs.get("aria-invalid") == "true"]
    assert invalid
    for attrs in invalid:
        described = (attrs.get("aria-describedby") or "").split()
        if attrs.get("type") in ("radio", "checkbox") and not described:
            continue  # a group's fieldset carries the description (checked below)
        assert any(d.endswith("_error") for d in described), attrs
        for target in described:
            assert target in ids, f"{attrs.get('name')} is described by #{target}, not on the page"
    for tag, attrs in page.elements:
        if tag == "fieldset" and attrs.get("aria-describedby"):
            for target in attrs["aria-describedby"].split():
                assert target in ids
    return dict(links)


def test_signup_with_nothing_filled_in_lists_each_problem_and_says_what_to_do(client):
    response = client.post("/accounts/signup/", {"action": "register"})

    assert response.status_code == 200
    html = response.content.decode()
    messages = check_errors_are_tied(html)
    assert "There is a problem" in html
    assert messages["id_full_name"] == "Enter your full name"
    assert messages["id_credit_code"] == "Enter the unified social credit code of your enterprise"
    # A field whose form says nothing of its own (allauth's) gets "Enter <its label>".
    assert messages["id_email"] == "Enter email"
    assert messages["id_industry"] == "Choose the industry section of your enterprise"
    assert messages["id_enterprise_name"] == "Enter the name of your enterprise"
    assert "This field is required" not in html
    # The message beside the field is the same one, with the id aria-describedby names.
    assert '<ul class="errorlist" id="id_full_name_error">' in html


def test_a_radio_group_error_links_to_its_first_choice(client):
    html = client.post("/accounts/signup/", {}).content.decode()

    messages = check_errors_are_tied(html)
    assert messages["id_action_0"] == ("Choose whether you register your enterprise or join one "
                                       "that is already registered")
    assert 'id="id_action_0"' in html


@pytest.mark.parametrize("language, heading, full_name, industry", [
    ("zh-hans", "提交未成功，请修改以下问题", "请填写您的姓名", "请选择企业所属的行业门类"),
    ("zh-hant", "提交未成功，請修改以下問題", "請填寫您的姓名", "請選擇企業所屬的行業門類"),
])
def test_the_summary_and_messages_are_translated(client, language, heading, full_name, industry):
    client.cookies["portal_language"] = language

    html = client.post("/accounts/signup/", {"action": "register"}).content.decode()

    messages = check_errors_are_tied(html)
    assert heading in html
    assert messages["id_full_name"] == full_name
    assert messages["id_industry"] == industry


def test_allauth_sign_in_page_gets_the_summary_for_its_own_and_the_form_wide_errors(client):
    empty = client.post("/accounts/login/", {}).content.decode()
    messages = check_errors_are_tied(empty)
    assert messages["id_login"] == "Enter email"
    assert messages["id_password"] == "Enter password"

    user = enterprise_user()
    wrong = client.post("/accounts/login/", {"login": user.email, "password": "not-it"})
    html = wrong.content.decode()
    assert "There is a problem" in html and "data-error-summary" in html
    assert "not correct" in html


def test_enterprise_profile_form_drawn_by_the_renderer_ties_its_errors(client):
    user = enterprise_user(admin=True)
    client.force_login(user)
    industry = Industry.objects.get(section="C")

    response = client.post("/enterprise/", {"name": "", "kind": "enterprise", "size": "small",
                                            "industry": industry.pk, "industry_division": "99"})

    assert response.status_code == 200
    messages = check_errors_are_tied(response.content.decode())
    assert messages["id_name"] == "Enter name"
    assert messages["id_industry_division"].startswith("Division 99 is not in section C")


def test_a_page_without_errors_has_no_summary(client):
    html = client.get("/accounts/signup/").content.decode()
    assert "data-error-summary" not in html
    assert 'aria-invalid="true"' not in html

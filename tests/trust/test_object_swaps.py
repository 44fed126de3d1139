"""Object-level refusals the URL matrix cannot see: an id of someone else's object put into
one's own URL, a form field or a filter/search parameter reaches nothing."""

import pytest
from django.test import Client

from tests.cases.factories import PDF_BYTES, submit_case, upload
from tests.totp import login
from tests.trust.matrix_world import build_matrix_world

OUTSIDERS = ("enterprise_b", "accused_official", "other_official", "observer", "evaluator",
             "auditor")


@pytest.fixture
def world(db):
    return build_matrix_world()


def signed_in(user):
    client = Client()
    client.cookies["portal_language"] = "en"
    return login(client, user)


def test_another_cases_attachment_through_ones_own_case_is_not_found(world):
    a_case, a_file = world.objects["case"], world.objects["attachment"]
    b = world.users["enterprise_b"]
    own = submit_case(b, files=[upload("自己的.pdf", PDF_BYTES, "application/pdf")])
    client = signed_in(b)
    own_file = own.attachments.get()
    # B's own file downloads: the 404s below are refusals, not a broken view.
    assert client.get(f"/cases/{own.pk}/files/{own_file.pk}/").status_code == 200
    assert client.get(f"/api/v1/cases/{own.pk}/files/{own_file.pk}/").status_code == 200
    for path in (f"/cases/{own.pk}/files/{a_file.pk}/",
                 f"/api/v1/cases/{own.pk}/files/{a_file.pk}/",
                 f"/cases/{a_case.pk}/files/{a_file.pk}/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert PDF_BYTES not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_filters_and_search_do_not_widen_what_one_sees(world):
    a = world.users["enterprise_a"]
    case, complaint = world.objects["case"], world.objects["complaint"]
    investigating = world.objects["units"]["investigating"]
    widening = {"enterprise": a.enterprise_id, "enterprise_id": a.enterprise_id,
                "unit": investigating.pk, "unit_id": investigating.pk, "submitter": a.pk,
                "user": a.pk, "q": case.title, "search": case.title, "all": "1", "scope": "all"}
    for role in OUTSIDERS:
        client = signed_in(world.users[role])
        for path in ("/api/v1/cases/", "/cases/"):
            response = client.get(path, widening)
            assert response.status_code in (200, 400), (role, path, response.status_code)
            assert case.title not in response.content.decode(), (role, path)
        if world.users[role].is_staff:
            for path in ("/admin/cases/case/", "/admin/complaints/complaint/"):
                response = client.get(path, {"q": case.title, "unit__id__exact": investigating.pk},
                                      follow=True)
                body = response.content.decode()
                assert case.title not in body and complaint.case.title not in body, (role, path)


def test_handling_units_see_what_the_outsiders_above_do_not(world):
    """The same requests find the objects for those who handle them: the checks above can fail."""
    case = world.objects["case"]
    client = signed_in(world.users["investigating_official"])
    assert case.title in client.get("/api/v1/cases/").content.decode()
    assert case.title in client.get("/admin/cases/case/", {"q": case.title}).content.decode()
    a = signed_in(world.users["enterprise_a"])
    assert case.title in a.get("/cases/").content.decode()

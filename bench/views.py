"""The baseline: a bare Django view fetching and rendering `rows` cases from the same database.

No session, no permission filter, no base layout: one indexed query (the heavy enterprise's
newest cases) and a plain template with a table. The harness runs it with the row count of
each page, in the same run and server, so "ratio to baseline" says what the page costs over
what Django needs anyway to fetch and render that many rows.
"""

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from django.template import Context, Engine
from django.views.decorators.http import require_GET

from portal.cases.models import Case

MAX_ROWS = 500
# Compiled once, independent of the TEMPLATES setting (so tests need no bench template dir).
_TEMPLATE = Engine(libraries={}, builtins=["django.template.defaultfilters",
                                          "django.template.defaulttags"]).from_string(
    (Path(__file__).parent / "templates" / "bench" / "baseline.html").read_text("utf-8"))


@require_GET
def baseline(request, rows: int):
    if not 0 < rows <= MAX_ROWS:
        raise Http404("rows must be 1..500")
    enterprise_id = getattr(settings, "BENCH_HEAVY_ENTERPRISE_ID", None) or 1
    cases = list(Case.objects.filter(enterprise_id=enterprise_id)
                 .order_by("-submitted_at", "-id")
                 .values("id", "reference", "title", "status", "submitted_at", "due_date")[:rows])
    return HttpResponse(_TEMPLATE.render(Context({"cases": cases})))

"""Pagination of lists too long to count: the admin's cases and enterprises.

`SELECT count(*)` over a million cases reads every row that matches, only to print a number
nobody needs exactly (figures: docs/performance.md, first round, fix 1).
`CappedCountPaginator` counts at most `cap` + 1 rows (`SELECT count(*) FROM (<query> LIMIT
cap + 1)`), shows "10,000+" beyond that, and still serves every page past the cap (an empty
page past the last row is an `EmptyPage`, as usual).
`CappedCountAdminMixin` uses it in a `ModelAdmin` and words the counts of the change list.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext


class CappedPage(Page):
    def has_next(self):
        if not self.paginator.count_capped:
            return super().has_next()
        # Past the cap the last page is unknown: a full page may have a next one.
        return len(self) >= self.paginator.per_page


class CappedCountPaginator(Paginator):
    """A paginator whose count stops at `cap` + 1 rows (see the module docstring)."""

    cap = 10_000

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True,
                 error_messages=None, *, cap: int | None = None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page, error_messages)
        if cap is not None:
            self.cap = cap

    @cached_property
    def count(self) -> int:
        """Return the number of rows, or `cap` + 1 when there are more than `cap`."""
        rows = self.object_list
        if hasattr(rows, "query"):
            # The order does not change how many rows there are: leave the sort to PostgreSQL
            # only where the LIMIT needs it (it does not), and read only the keys.
            return rows.order_by().values("pk")[: self.cap + 1].count()
        return min(len(rows), self.cap + 1)

    @property
    def count_capped(self) -> bool:
        """True when the list has more rows than were counted."""
        return self.count > self.cap

    @property
    def display_count(self) -> str:
        """The count as a person reads it: "10,000+" when it was capped."""
        if self.count_capped:
            # Translators: a count that stopped at a limit, e.g. "10,000+" (there are more).
            return gettext("%(count)s+") % {"count": number_format(self.cap,
                                                                    force_grouping=True)}
        return number_format(self.count, force_grouping=True)

    def validate_number(self, number):
        if not self.count_capped:
            return super().validate_number(number)
        # Past the cap every page number is allowed: whether it holds rows is seen in page().
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from exc
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        if not self.count_capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list[bottom:bottom + self.per_page]
        if number > 1 and not rows:  # reads the page once; the page keeps what it read
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)


class CappedCountAdminMixin:
    """A `ModelAdmin` whose change list never counts more than `paginator.cap` + 1 rows.

    The templates `admin/pagination.html`, `admin/actions.html` and `admin/search_form.html`
    (templates/admin/) print `cl.paginator.display_count` ("10,000+ cases").
    """

    paginator = CappedCountPaginator
    show_full_result_count = False  # no unfiltered COUNT(*) either

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        cl = context.get("cl") if context else None
        paginator = getattr(cl, "paginator", None)
        if paginator is not None and getattr(paginator, "count_capped", False):
            # Django words this note with the raw count ("All 10001 selected").
            context["selection_note_all"] = ngettext(
                "%(total_count)s selected", "All %(total_count)s selected", paginator.count,
            ) % {"total_count": paginator.display_count}
        return response

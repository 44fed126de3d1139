"""The paging the portal's API lists share."""

from rest_framework.pagination import CursorPagination


class PagedByCursor(CursorPagination):
    """A cursor page (REST_FRAMEWORK's PAGE_SIZE, 50), which the client may ask smaller or
    larger up to 100 (`page_size`). A list sets `ordering`: an index's order, unique by id."""

    page_size_query_param = "page_size"
    max_page_size = 100

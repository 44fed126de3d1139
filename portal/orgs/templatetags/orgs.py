"""What pages above the organisations show of them.

    {% load orgs %}{% pending_join_request user as pending_join %}

(the home page: templates sit above every package, so they may ask any app; the shared
`portal.core` views do not import this one.)
"""

from django import template

from ..selectors import join_request_pending_of

register = template.Library()


@register.simple_tag
def pending_join_request(user):
    """Return `user`'s request to join an enterprise still waiting for approval, or None."""
    return join_request_pending_of(user=user)

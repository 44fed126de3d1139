"""The case engine in the Django admin: the unit's queue and the department's desk.

- case.py: cases (queue, read-only facts, timeline, attachments, transitions, bulk sign-for);
- supervision.py: supervision items (督办);
- config.py: categories, deadline rules, engine settings, reply templates;
- site.py: the department dashboard and pain-point pages on the admin site.
The pages and forms themselves are in portal/cases/admin_views.py and admin_forms.py.
"""

from . import case, config, site, supervision  # noqa: F401 (registers the admins and pages)

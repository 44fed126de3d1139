"""Enterprise appeals (诉求, Art. 3 ¶1): a kind of case on the engine (portal.cases).

The kind's declaration (kind.py), its submission service (services.py), the enterprise's pages
(views.py, forms.py, templates/appeals/) and its API (api/). Everything after the submission is
one of the engine's steps.
"""

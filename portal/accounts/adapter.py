from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Keep people's language choice with their account."""

    def save_user(self, request, user, form, commit=True):
        from django.utils.translation import get_language

        user.language = get_language() or ""
        return super().save_user(request, user, form, commit=commit)

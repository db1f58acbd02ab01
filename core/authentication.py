"""DRF authentication for the API."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class ScopedTokenAuthentication(TokenAuthentication):
    """DRF's token authentication (`Authorization: Token …`), answering the same, which also loads the user's
    scope region and organization in the token's one query: every API request scopes its queries by the
    scope's materialized path (`core.scoping`), which would otherwise cost a query of its own."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user__scope_region", "user__scope_organization").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)

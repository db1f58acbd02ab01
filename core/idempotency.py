"""Idempotency keys for POSTs a client may have to resend (a phone's offline outbox, a flaky network).

The client generates a UUID per thing it creates and sends it as the `Idempotency-Key` header (or a
`client_key` field). The key is optional everywhere: a request without it behaves as before. A model that
accepts keys stores them in a unique, nullable `client_key` UUIDField; a repeat of the POST with the same key
answers the object the first one created (the same status and body shape), never a second object.
"""

import uuid

from django.utils.translation import gettext as _
from rest_framework import exceptions

HEADER = "Idempotency-Key"
FIELD = "client_key"
REPLAYED_HEADER = "Idempotent-Replayed"


def idempotency_key(request):
    """The UUID the client sent (header first, then the `client_key` field), or None; 400 when malformed."""
    raw = request.headers.get(HEADER)
    if raw is None:
        data = getattr(request, "data", None)
        raw = data.get(FIELD) if hasattr(data, "get") else None
    if raw in (None, ""):
        return None
    try:
        return uuid.UUID(str(raw).strip())
    except (ValueError, AttributeError, TypeError):
        raise exceptions.ValidationError(
            {FIELD: [_("The idempotency key must be a UUID, e.g. 3f2c1a4e-8b7d-4c1e-9a2b-5d6e7f8a9b0c.")]}
        ) from None


class KeyConflict(exceptions.APIException):
    status_code = 409
    default_code = "idempotency_key_conflict"

    def __init__(self):
        super().__init__({FIELD: [_("This idempotency key was already used by another user or for another "
                                    "object; generate a new key for each new object.")]})

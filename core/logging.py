"""Logging helpers referenced from settings.LOGGING."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """Django logs a PermissionDenied (403) or Http404 with the exception attached, so the console shows a
    full traceback for every refused page. Keep the one-line warning for 4xx and the traceback for 5xx."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if status is not None and status < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True

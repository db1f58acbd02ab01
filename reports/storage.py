"""Where report files live: a private directory, never served by the web server or MEDIA_URL.

Files are handed out only by the scoped download views (API and page), which check the user's scope first.
The directory is `REPORTS_PRIVATE_ROOT` when set, else `<MEDIA_ROOT>/private/reports`; it is read from the
settings on every use, so a changed setting (tests, a moved volume) applies without a restart.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateReportStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        configured = getattr(settings, "REPORTS_PRIVATE_ROOT", None)
        return str(configured) if configured else os.path.join(str(settings.MEDIA_ROOT), "private", "reports")

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):  # noqa: ARG002 — there is deliberately no public URL
        raise ValueError("report files are private; download them through the scoped views")


report_storage = PrivateReportStorage()

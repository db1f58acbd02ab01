"""Private files (activity attachments, report files): under `<MEDIA_ROOT>/private/<area>`, with no public URL.

MEDIA_URL is never mapped by any web server; these files go out only through the scoped download views,
which check the user's scope first. Keeping them under MEDIA_ROOT means the nightly MEDIA_ROOT backup
carries them (docs/operations.md). The directory is read from the settings on every use, so a changed
setting (tests, a moved volume) applies without a restart; `setting` names an override for the area.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    def __init__(self, area: str, setting: str):
        self.area, self.setting = area, setting
        super().__init__(base_url=None)

    @property
    def base_location(self):
        configured = getattr(settings, self.setting, None)
        return str(configured) if configured else os.path.join(str(settings.MEDIA_ROOT), "private", self.area)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):  # noqa: ARG002 — there is deliberately no public URL
        raise ValueError("private files have no public URL; download them through the scoped views")

"""Where report files live: `<MEDIA_ROOT>/private/reports` (`REPORTS_PRIVATE_ROOT` overrides), never served by
the web server or MEDIA_URL; handed out only by the scoped download views (API and page). See core.storage."""

from core.storage import PrivateStorage


class PrivateReportStorage(PrivateStorage):
    def __init__(self):
        super().__init__("reports", "REPORTS_PRIVATE_ROOT")


report_storage = PrivateReportStorage()

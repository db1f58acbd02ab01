"""Replay every member's events into the spans that figures for a date read (members/spans.py). The writes keep
the spans in step by themselves; this is for operators after loading rows behind the portal's back."""

import json

from django.core.management.base import BaseCommand

from members.spans import rebuild
from reports.incremental import bulk_changed


class Command(BaseCommand):
    help = "Rebuild the members' days in the register (organization, employer, standing on each date) from the events."

    def handle(self, *args, **options):
        written = rebuild()
        bulk_changed()  # the figures read the spans: every snapshot stale (reports.incremental)
        self.stdout.write(json.dumps({"spans": written}))

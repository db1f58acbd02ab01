import datetime
import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from organizations.models import Region
from reports import services


class Command(BaseCommand):
    help = "Compute and store coverage snapshots for a region's whole subtree (all roots by default), synchronously."

    def add_arguments(self, parser):
        parser.add_argument("--region", help="region code (default: every root region)")
        parser.add_argument("--as-of", dest="as_of", help="date YYYY-MM-DD (default: today)")

    def handle(self, *args, region=None, as_of=None, **options):
        try:
            day = datetime.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--as-of must be a date YYYY-MM-DD, not {as_of!r}") from exc
        if region:
            roots = list(Region.objects.filter(code=region))
            if not roots:
                raise CommandError(f"No region with code {region!r}.")
        else:
            roots = list(services.root_regions())
        started = time.monotonic()
        regions = enterprises = 0
        for root in roots:
            result = services.compute_snapshots(root, day)
            regions += result["regions"]
            enterprises += result["enterprises"]
            if options["verbosity"] > 1:
                self.stderr.write(f"{root.code}: {result}")
        self.stdout.write(json.dumps({"regions": regions, "enterprises": enterprises,
                                      "seconds": round(time.monotonic() - started, 3)}))

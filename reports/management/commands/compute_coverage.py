import datetime
import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from organizations.models import Region
from reports import services


class Command(BaseCommand):
    help = ("Compute and store coverage snapshots for a region's whole subtree (all roots by default), synchronously: "
            "for one date (--as-of), or for several in one pass (--year: its 12 month-ends; --days); or every stored "
            "date other than today that writes made stale (--stale).")

    def add_arguments(self, parser):
        parser.add_argument("--region", help="region code (default: every root region)")
        parser.add_argument("--as-of", dest="as_of", help="date YYYY-MM-DD (default: today)")
        parser.add_argument("--year", help="the 12 month-ends of this year, in one pass (instead of --as-of)")
        parser.add_argument("--days", help="dates YYYY-MM-DD separated by commas, in one pass (instead of --as-of)")
        parser.add_argument("--stale", action="store_true",
                            help="recompute every stored date other than today that writes made stale (a backdated "
                                 "link, an import); what the nightly job does after today's figures")

    def handle(self, *args, region=None, as_of=None, year=None, days=None, stale=False, **options):
        if sum(value is not None for value in (as_of, year, days)) > 1:
            raise CommandError("Give one of --as-of, --year and --days.")
        if stale and (region, as_of, year, days) != (None, None, None, None):
            raise CommandError("--stale takes no other option: it recomputes every stale date of what is stored.")
        if stale:
            from reports.incremental import recompute_other_days  # noqa: PLC0415

            self.stdout.write(json.dumps(recompute_other_days()))
            return
        trend = None
        if year is not None or days is not None:
            from reports.tasks import trend_days  # noqa: PLC0415

            try:
                trend = trend_days({"year": year} if year is not None else {"days": days})
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
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
            if trend is None:
                result = services.compute_snapshots(root, day)
            else:
                result = services.compute_snapshots_for_days(root, trend)
            regions += result["regions"]
            enterprises += result["enterprises"]
            if options["verbosity"] > 1:
                self.stderr.write(f"{root.code}: {result}")
        summary = {"regions": regions, "enterprises": enterprises, "seconds": round(time.monotonic() - started, 3)}
        if trend is not None:  # regions per day; enterprises on the last day
            summary["days"] = len(trend)
        self.stdout.write(json.dumps(summary))

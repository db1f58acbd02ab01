import json

from django.core.management.base import BaseCommand, CommandError

from reports.incremental import bulk_changed
from reports.synthetic import SyntheticProvince


class Command(BaseCommand):
    help = ("Bulk-load a synthetic province of N enterprises with the shape of API.md 'Scale tiers' "
            "(deterministic for a seed; no simple-history records are written for these rows).")

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, required=True, help="number of enterprises (S 15000, "
                            "M 100000, L 1000000)")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, enterprises, seed, **options):
        if enterprises < 1:
            raise CommandError("--enterprises must be at least 1.")
        log = self.stderr.write if options["verbosity"] > 0 else (lambda *a: None)
        try:
            counts = SyntheticProvince(enterprises, seed, log=log).load()
            bulk_changed()  # written in bulk (no signals): every snapshot stale (reports.incremental)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(counts))

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organizations.models import Region
from reports import services


class Command(BaseCommand):
    help = ("Build a report (a new version of it) for a region and a period, synchronously; the last line of "
            "output is the path of the file.")

    def add_arguments(self, parser):
        parser.add_argument("code", help="report code, e.g. nonpublic_enterprises")
        parser.add_argument("--region", required=True, help="region code")
        parser.add_argument("--period", required=True, help="2026, 2026Q3 or 2026-07")
        parser.add_argument("--format", dest="fmt", choices=["xlsx", "csv"], default="xlsx",
                            help="which file's path to print last (both are always written)")

    def handle(self, *args, code, region, period, fmt, **options):
        target = Region.objects.filter(code=region).first()
        if target is None:
            raise CommandError(f"No region with code {region!r}.")
        try:
            definition = services.definition_by_code(code)
            run = services.request_run(definition, target, period, run_now=True)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except Exception as error:  # the run is recorded as failed with the reason
            raise CommandError(f"The report failed: {error}") from error
        other = run.csv_file if fmt == "xlsx" else run.xlsx_file
        chosen = run.xlsx_file if fmt == "xlsx" else run.csv_file
        self.stdout.write(f"{definition.code} {target.code} {run.period} version {run.version}: {run.rows} rows "
                          f"as of {run.as_of.isoformat()}")
        self.stdout.write(other.path)
        self.stdout.write(chosen.path)

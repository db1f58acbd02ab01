"""`manage.py import_data KIND FILE [--dry-run] [--user USERNAME]` — see docs/imports.md."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.imports import ImportFileError, get_kind, run_import


class Command(BaseCommand):
    help = ("Import a CSV or XLSX file. The whole file is validated first; if any row is wrong nothing is "
            "written and every bad row is listed. --dry-run only validates.")

    def add_arguments(self, parser):
        parser.add_argument("kind", help="regions, enterprises, organizations, coverage-links, members, …")
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--user", help="username recorded as the author (default: the first administrator)")

    def handle(self, *args, kind, file, dry_run, user, **options):
        try:
            get_kind(kind)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        path = Path(file)
        if not path.exists():
            raise CommandError(f"No such file: {file}")
        User = get_user_model()
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user {user}")
        else:
            actor = (User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
                     or User.objects.filter(role="admin", is_active=True).order_by("id").first())
            if actor is None:
                raise CommandError("No administrator exists to record as the author; pass --user.")
        result = run_import(kind, path.read_bytes(), path.name, actor, dry_run=dry_run)
        for message in result.messages():
            self.stderr.write(message)
        summary = result.summary
        if not result.ok:
            raise CommandError(f"{kind}: {summary['errors']} errors — nothing was written.")
        if dry_run:
            self.stdout.write(f"{kind}: {summary['created']} to create, {summary['updated']} to update, "
                              f"{summary['unchanged']} unchanged (dry run: nothing written)")
        else:
            self.stdout.write(f"{kind}: {summary['created']} created, {summary['updated']} updated, "
                              f"{summary['unchanged']} unchanged")



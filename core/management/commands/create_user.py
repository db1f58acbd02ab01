from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.api_users import UserSerializer
from core.roles import Role


class Command(BaseCommand):
    help = "Create a user with a role and the scope that role needs (or update an existing one)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--scope-region", help="region code")
        scope.add_argument("--scope-organization", help="organization code")
        scope.add_argument("--scope-instructor", help="instructor id")
        parser.add_argument("--sensitive", action="store_true", help="may see full ID and phone numbers")
        parser.add_argument("--superuser", action="store_true", help="also a Django superuser (admin site)")
        parser.add_argument("--family-name", dest="last_name", help="family name (王), shown with the given name")
        parser.add_argument("--given-name", dest="first_name", help="given name (晓明): pages then name 王晓明")

    def handle(self, *args, **options):
        from django.contrib.auth import get_user_model  # noqa: PLC0415

        User = get_user_model()
        data = {"username": options["username"], "password": options["password"], "role": options["role"],
                "scope_region": options["scope_region"], "scope_organization": options["scope_organization"],
                "scope_instructor": options["scope_instructor"], "can_view_sensitive": options["sensitive"]}
        data.update({name: options[name] for name in ("first_name", "last_name") if options.get(name) is not None})
        existing = User.objects.filter(username=options["username"]).first()
        serializer = UserSerializer(instance=existing, data=data)
        if not serializer.is_valid():
            lines = [f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in serializer.errors.items()]
            raise CommandError("\n".join(lines))
        with transaction.atomic():
            user = serializer.save()
            if options["superuser"] or options["role"] == Role.ADMIN:
                user.is_staff = True
                user.is_superuser = options["superuser"] or options["role"] == Role.ADMIN
                user.save(update_fields=["is_staff", "is_superuser"])
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:  # pragma: no cover - the serializer checked the same rules
            raise CommandError(str(error)) from error
        self.stdout.write(f"{'Updated' if existing else 'Created'} user {user.username} ({user.get_role_display()}"
                          f"{', ' + user.scope_label if user.scope_label else ''})")

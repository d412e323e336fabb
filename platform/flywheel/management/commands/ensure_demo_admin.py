import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "On first run, create a staff account for the demo and print its credentials once "
        "(they are also written to var/demo-admin.txt). Does nothing if any superuser exists."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            default="http://127.0.0.1:8000",
            help="Where the site answers, for the login address printed (make run passes PORT).",
        )

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "A staff account already exists; see var/demo-admin.txt if it is the demo's."
            )
            return
        username = settings.DEMO_ADMIN_USERNAME
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(
            username=username, email="", password=password, display_name="Flywheel staff"
        )
        credentials_file = settings.VAR_DIR / "demo-admin.txt"
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        credentials_file.write_text(f"username: {username}\npassword: {password}\n")
        credentials_file.chmod(0o600)
        banner = "=" * 60
        login_url = f"{options['site_url'].rstrip('/')}/accounts/login/"
        self.stdout.write(
            self.style.SUCCESS(
                f"{banner}\nDemo staff account created (shown once; saved in {credentials_file}):\n"
                f"  username: {username}\n  password: {password}\n"
                f"  log in at {login_url}\n{banner}"
            )
        )

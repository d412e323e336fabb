"""Backfill or repair the analytics rollups: `manage.py rollup --days 30`."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from analytics import rollups


class Command(BaseCommand):
    help = (
        "Recompute the hourly and daily analytics rollups of the last N days from the event "
        "log (periods past the event retention are left as they are)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=2, help="How many days back (1 to 400).")

    def handle(self, *args, days, **options):
        if not 1 <= days <= 400:
            raise CommandError("--days must be between 1 and 400.")
        now = timezone.now()
        since = now - timedelta(days=days)
        hours = rollups.rollup_range(rollups.HOURLY, since, now, now=now)
        whole_days = rollups.rollup_range(rollups.DAILY, since, now, now=now)
        self.stdout.write(f"Recomputed {hours} hours and {whole_days} days.")

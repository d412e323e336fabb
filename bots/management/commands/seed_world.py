"""`manage.py seed_world --bots N`: topics, bots with known tastes, their follow graph, groups,
posts and a history of interactions. Safe to re-run: the world grows to N bots, or is left
as it is, and the command says which."""

import time
from dataclasses import fields

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from bots import conf
from bots.management.progress import StageProgress
from bots.seeding import seed_world, world_counts
from bots.world import WorldConfig

TUNABLE = {
    "posts_per_bot": "history posts per bot, on average",
    "events_per_bot": "history events per bot, on average",
    "follows_median": "median number of people a bot follows",
    "history_days": "days the bulk history is spread over",
    "seed": "random seed (the same seed draws the same world)",
}


class Command(BaseCommand):
    help = "Seed (or grow) the simulated world of bot users with known tastes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--bots",
            type=int,
            default=None,
            help="bots the world should have (default: "
            f"BOTS_SEED_BOTS, {conf.DEFAULTS['BOTS_SEED_BOTS']})",
        )
        parser.add_argument("--topics", type=int, help="number of topics, 20 to 32 (first run)")
        parser.add_argument(
            "--method",
            choices=["auto", "services", "bulk"],
            default="auto",
            help="services: through the site's services (small worlds); bulk: COPY; auto: "
            "bulk above BOTS_BULK_ABOVE new bots",
        )
        defaults = WorldConfig()
        types = {f.name: f.type for f in fields(WorldConfig)}
        for name, description in TUNABLE.items():
            parser.add_argument(
                f"--{name.replace('_', '-')}",
                type=int if types[name] in (int, "int") else float,
                default=getattr(defaults, name),
                help=f"{description} (default {getattr(defaults, name)})",
            )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, bots, topics, method, no_progress, **options):
        bots = conf.get("BOTS_SEED_BOTS") if bots is None else bots
        config = WorldConfig(**{name: options[name] for name in TUNABLE})
        progress = StageProgress(
            self.stdout, interactive=self.stdout.isatty(), enabled=not no_progress
        )
        started = time.perf_counter()
        try:
            result = seed_world(
                bots=bots, config=config, topics=topics, method=method, progress=progress
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        finally:
            progress.close()
        self.stdout.write(result.message)
        if result.bots_added:
            self.stdout.write(f"Took {time.perf_counter() - started:.1f} s.")
        counts = ", ".join(f"{value:,} {name}" for name, value in world_counts().items())
        self.stdout.write(f"The world now: {counts}.")

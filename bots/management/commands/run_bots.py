"""`manage.py run_bots`: drive the seeded bots through the site's HTTP API until stopped.

Prints a summary every few seconds; Ctrl-C stops cleanly. The bots log in with tokens, read
their feeds, react, post, follow, join groups, search and click ads exactly as a client
program would; see bots.driver and docs/simulation.md.
"""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from bots.client import SiteUnavailable
from bots.driver import Driver, DriverOptions, NoWorld, WrongSite


class Command(BaseCommand):
    help = "Run the bots against the site over HTTP (Ctrl-C stops them)."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="the site (default BOTS_SITE_URL)")
        parser.add_argument(
            "--speedup", type=float, help="simulated seconds per real second (BOTS_SPEEDUP)"
        )
        parser.add_argument(
            "--rate", type=float, dest="max_rate",
            help="at most this many sessions start per second (BOTS_MAX_SESSIONS_PER_SECOND)",
        )  # fmt: skip
        parser.add_argument(
            "--concurrency", type=int, help="bots driven at once (BOTS_CONCURRENCY)"
        )
        parser.add_argument(
            "--duration", type=float, default=0, help="stop after this many seconds (0: never)"
        )
        parser.add_argument(
            "--sessions", type=int, default=0, help="stop after this many sessions (0: never)"
        )
        parser.add_argument(
            "--signups-per-day", type=float,
            help="new bots signing up per simulated day (BOTS_SIGNUPS_PER_DAY)",
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--summary-every", type=float, default=10, help="seconds between summaries"
        )
        parser.add_argument(
            "--wait", type=float, default=0, help="seconds to wait for the site to answer"
        )

    def handle(self, *args, **options):
        names = ("url", "speedup", "max_rate", "concurrency", "duration", "sessions",
                 "signups_per_day", "seed", "summary_every", "wait")  # fmt: skip
        driver_options = DriverOptions.from_settings(**{name: options[name] for name in names})
        if driver_options.concurrency < 1 or driver_options.speedup <= 0:
            raise CommandError("--concurrency must be at least 1 and --speedup above 0.")
        driver = Driver(driver_options, write=self._say)
        # SIGTERM (docker stop, honcho) stops as cleanly as Ctrl-C.
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, lambda *_: driver.stop()) if main else None
        try:
            driver.run()
        except KeyboardInterrupt:  # before the driver got going (it handles its own)
            self._say("Stopped.")
        except (NoWorld, SiteUnavailable, WrongSite) as problem:
            raise CommandError(str(problem)) from None
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous)

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

"""The bots' settings, with their defaults in one place.

Each BOTS_* value is read at call time, so tests and operators can change them: from
django.conf.settings if it is set there (tests do), else from the environment variable of
the same name (cast to the default's type), else the default below. The site's settings
module knows nothing of them: the site runs without the bots.
"""

import environ
from django.conf import settings

DEFAULTS = {
    # Share of bots (never people) whose home feed is ordered by their true utility: the
    # "ideal" arm the loop report compares homogenisation and utility against.
    "BOTS_IDEAL_SHARE": 0.1,
    # Where run_bots finds the site, when --url is not given.
    "BOTS_SITE_URL": "http://127.0.0.1:8000",
    # The size of the world `make run` seeds on its first start.
    "BOTS_SEED_BOTS": 120,
    # Above this many bots, seed_world takes the bulk path (COPY) unless told otherwise.
    "BOTS_BULK_ABOVE": 2000,
    # run_bots: simulated seconds per real second, sessions per real second at most, bots
    # driven at once, new bots signing up per simulated day.
    "BOTS_SPEEDUP": 100.0,
    "BOTS_MAX_SESSIONS_PER_SECOND": 2.0,
    "BOTS_CONCURRENCY": 4,
    "BOTS_SIGNUPS_PER_DAY": 5.0,
    # Advertisers seed_world gives the world (two campaigns each, topics dealt round-robin).
    "BOTS_SEED_ADVERTISERS": 12,
}


_env = environ.Env()


def get(name: str):
    default = DEFAULTS[name]
    if hasattr(settings, name):
        return getattr(settings, name)
    return _env(name, cast=type(default), default=default)

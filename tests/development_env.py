"""Loaded by pytest before Django's settings (``-p tests.development_env`` in pyproject.toml):
the suite is a development run, which the settings allow only with the explicit flag."""

import os

os.environ.setdefault("FLYWHEEL_DEVELOPMENT", "true")

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import DatabaseError


class Command(BaseCommand):
    help = "Wait until the database answers (and, with --migrated, until it is fully migrated)."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait at most")
        parser.add_argument(
            "--migrated", action="store_true", help="also wait until no migration is pending"
        )

    def handle(self, *args, timeout, migrated, **options):
        deadline = time.monotonic() + timeout
        waiting_for = "the database"
        while True:
            try:
                connection = connections[DEFAULT_DB_ALIAS]
                connection.ensure_connection()
                if not migrated or not self._pending(connection):
                    self.stdout.write(f"{waiting_for.capitalize()} is ready.")
                    return
                waiting_for = "migrations"
            except DatabaseError as error:
                waiting_for = f"the database ({str(error).strip().splitlines()[0]})"
                connections.close_all()
            if time.monotonic() > deadline:
                raise CommandError(f"Gave up after {timeout:g} s waiting for {waiting_for}.")
            self.stdout.write(f"Waiting for {waiting_for}...")
            time.sleep(1)

    @staticmethod
    def _pending(connection) -> bool:
        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))

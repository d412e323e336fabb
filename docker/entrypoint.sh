#!/usr/bin/env bash
# One entrypoint for every Flywheel process, in Docker and out of it (the Procfile uses it too).
#   entrypoint.sh web|worker|beat|bots|migrate|manage ARGS...
# Waits for the database; `web` and `migrate` apply migrations, the others wait for them.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
role="${1:-web}"
shift || true

wait_for_db() { "$PYTHON" manage.py wait_for_db --timeout "${DB_WAIT_SECONDS:-90}" "$@"; }

# The bots are clients of the site: they start once it answers at $1/livez.
wait_for_site() {
  "$PYTHON" - "$1" "${BOTS_WAIT_SECONDS:-300}" <<'PY'
import sys, time, urllib.request
url, deadline = sys.argv[1].rstrip("/") + "/livez", time.monotonic() + float(sys.argv[2])
while True:
    try:
        urllib.request.urlopen(url, timeout=5).read()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(f"bots: {url} did not answer")
        time.sleep(2)
PY
}

case "$role" in
  migrate)
    wait_for_db
    "$PYTHON" manage.py migrate --noinput
    exec "$PYTHON" manage.py ensure_buckets
    ;;
  web)
    wait_for_db
    if [ "${MIGRATE_ON_START:-1}" = "1" ]; then
      "$PYTHON" manage.py migrate --noinput
      "$PYTHON" manage.py ensure_buckets
    fi
    exec "$PYTHON" -m gunicorn flywheel.wsgi:application \
      --bind "${BIND:-0.0.0.0:${PORT:-8000}}" \
      --workers "${WEB_WORKERS:-2}" --threads "${WEB_THREADS:-4}" \
      --timeout "${WEB_TIMEOUT:-60}" --graceful-timeout "${WEB_GRACEFUL_TIMEOUT:-10}" \
      --access-logfile - "$@"
    ;;
  worker)
    wait_for_db --migrated
    exec "$PYTHON" -m celery -A flywheel worker -Q "${WORKER_QUEUES:-default,training}" \
      --concurrency "${WORKER_CONCURRENCY:-2}" --loglevel "${LOG_LEVEL:-INFO}" "$@"
    ;;
  beat)
    wait_for_db --migrated
    exec "$PYTHON" -m celery -A flywheel beat --scheduler django_celery_beat.schedulers:DatabaseScheduler \
      --loglevel "${LOG_LEVEL:-INFO}" --pidfile= "$@"
    ;;
  bots)
    # Wait for the site, seed a small world on the first run (seed_world adds nothing when
    # the world exists), then drive the bots over HTTP until stopped.
    wait_for_db --migrated
    site="${BOTS_SITE_URL:-http://${BIND:-127.0.0.1:8000}}"
    wait_for_site "$site"
    "$PYTHON" manage.py seed_world --bots "${BOTS_SEED_BOTS:-120}" --no-progress
    exec "$PYTHON" manage.py run_bots --url "$site" --wait "${BOTS_WAIT_SECONDS:-300}" "$@"
    ;;
  manage)
    wait_for_db
    exec "$PYTHON" manage.py "$@"
    ;;
  *)
    echo "usage: entrypoint.sh web|worker|beat|bots|migrate|manage ARGS..." >&2
    exit 64
    ;;
esac

#!/usr/bin/env bash
# Smoke test of `make run` in a fresh clone on the embedded defaults (SQLite, filesystem
# broker): the home page, /healthz and a worker ping must answer within 120 s, the bots must
# then be using the site, and every process must be gone after Ctrl-C.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
port="${SMOKE_PORT:-8000}"
log="$work/run.log"
trap 'status=$?; [ $status -ne 0 ] && { echo "--- make run log"; tail -n 80 "$log"; }; rm -rf "$work"; exit $status' EXIT

git clone --quiet "$src" "$work/flywheel"
cd "$work/flywheel"
# The worker check of /healthz needs staff or the health token (anonymous callers get the
# database's state only).
health_token="smoke-$RANDOM-$RANDOM-$RANDOM"
# Start in its own session so the whole process group can be signalled like a terminal would.
env -u DATABASE_URL -u CELERY_BROKER_URL -u CACHE_URL PORT="$port" HEALTH_TOKEN="$health_token" \
  setsid make run >"$log" 2>&1 &
group=$!

deadline=$((SECONDS + 120 + 240))  # installing into the fresh venv is not part of the 120 s
started=""
ok=""
while [ $SECONDS -lt $deadline ]; do
  if ! kill -0 "$group" 2>/dev/null; then echo "make run exited early" >&2; exit 1; fi
  if [ -z "$started" ] && grep -q "Starting web, worker" "$log"; then
    started=$SECONDS
    deadline=$((SECONDS + 120))
  fi
  if [ -n "$started" ] \
     && curl -fsS "http://127.0.0.1:$port/" -o /dev/null 2>/dev/null \
     && curl -fsS -H "X-Health-Token: $health_token" "http://127.0.0.1:$port/healthz" 2>/dev/null \
        | grep -q '"worker": {"ok": true}'; then
    ok=yes
    break
  fi
  sleep 2
done
[ -n "$ok" ] || { echo "site, health or worker did not answer in time" >&2; exit 1; }
echo "home page, /healthz and the worker answered $((SECONDS - started)) s after start"
grep -q "password:" "$log" || { echo "demo admin credentials were not printed" >&2; exit 1; }
test -s var/demo-admin.txt

# The bots seed a small world on the first run, then use the site: wait for a summary of
# theirs that counts sessions and impressions.
bots_deadline=$((SECONDS + ${SMOKE_BOTS_SECONDS:-300}))
until grep -qE "Bots after .*: [1-9][0-9,]* sessions .* [1-9][0-9,]* impressions" "$log"; do
  if [ $SECONDS -ge $bots_deadline ]; then echo "the bots did not get going" >&2; exit 1; fi
  if ! kill -0 "$group" 2>/dev/null; then echo "make run exited early" >&2; exit 1; fi
  sleep 3
done
echo "the bots are using the site: $(grep -E "Bots after" "$log" | tail -n 1 | cut -c1-160)"

kill -INT -- "-$group"
for _ in $(seq 30); do
  pgrep -g "$group" >/dev/null || break
  sleep 1
done
if pgrep -g "$group" >/dev/null; then
  echo "processes still running 30 s after Ctrl-C:" >&2
  pgrep -a -g "$group" >&2
  kill -KILL -- "-$group" || true
  exit 1
fi
echo "every process stopped after Ctrl-C"

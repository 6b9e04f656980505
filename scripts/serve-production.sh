#!/usr/bin/env bash
# Start Gongzhi in its production configuration on this machine: production settings, hashed and
# compressed static files served by whitenoise, migrations applied, gunicorn on 127.0.0.1.
#
#   scripts/serve-production.sh            # then put nginx in front (docs/deploy.md)
#   PORT=8100 GUNICORN_WORKERS=2 scripts/serve-production.sh
#
# Every setting comes from the environment (docs/deploy.md lists them). Unset, this script uses a
# secret key kept in var/secret_key (made once) and the SQLite database in var/. It runs in the
# foreground and replaces itself with gunicorn, so its PID is gunicorn's master: stop it with
# `kill <pid>` (or Ctrl-C). PIDFILE names a file to write that PID to.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"

export GONGZHI_ENV=production
export DJANGO_SETTINGS_MODULE=gongzhi.settings
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
# Locally there is no TLS: act as if behind nginx, which sends X-Forwarded-Proto: https.
export BEHIND_PROXY="${BEHIND_PROXY:-true}"
if [ -z "${SECRET_KEY:-}" ] && [ -z "${SECRET_KEY_FILE:-}" ]; then
  mkdir -p var
  if [ ! -s var/secret_key ]; then
    (umask 077; "$PY" -c "import secrets; print(secrets.token_urlsafe(64))" > var/secret_key)
  fi
  export SECRET_KEY_FILE="$ROOT/var/secret_key"
fi

PORT="${PORT:-8000}"
export GUNICORN_BIND="${GUNICORN_BIND:-127.0.0.1:$PORT}"

"$PY" manage.py check --deploy --fail-level WARNING
"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput -v 0

if [ -n "${PIDFILE:-}" ]; then echo $$ > "$PIDFILE"; fi
exec "$(dirname "$PY")/gunicorn" gongzhi.wsgi:application --config scripts/gunicorn.conf.py

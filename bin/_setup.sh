# Shared set-up for bin/run and bin/test (sourced, not run).

ensure_python_env() {
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  # Reinstall only when the dependencies changed since the last install.
  local stamp=.venv/.installed-from
  local want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -e '.[test]'
    echo "$want" > "$stamp"
  fi
}

ensure_assets() {
  # GOV.UK Frontend and bpmn-js come from npm; built assets are not committed.
  local stamp=node_modules/.installed-from
  local want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
  if [ ! -f web/static/dist/govuk-frontend.min.css ] || [ bin/build-assets.mjs -nt web/static/dist/govuk-frontend.min.css ] \
     || [ ! -f web/static/dist/modeller.js ] || [ web/static/src/modeller.js -nt web/static/dist/modeller.js ] \
     || [ package-lock.json -nt web/static/dist/modeller.js ]; then
    node bin/build-assets.mjs
  fi
}

ensure_chromium() {
  # Browser tests drive Debian's Chromium; Playwright never downloads a browser here.
  if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

service_up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ensure_services() {
  if ! service_up 5432 && ls /etc/postgresql >/dev/null 2>&1; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  fi
  if ! service_up 6379 && command -v redis-server >/dev/null; then
    echo "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
  for _ in $(seq 1 30); do
    service_up 5432 && service_up 6379 && return 0
    sleep 1
  done
  # Tests that need a missing service fail under CI=true and are skipped otherwise.
  echo "warning: PostgreSQL or Redis is not reachable on 127.0.0.1" >&2
}

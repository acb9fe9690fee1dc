# Sourced by scripts/start and scripts/test: makes the toolchain ready on a fresh
# Debian machine with Node 20 — the pinned pnpm in .cache/tools, then the
# workspace's dependencies from the lockfile. Idempotent and quick when done.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PNPM_VERSION="$(node -p "require('$ROOT/package.json').packageManager.split('@')[1]")"
TOOLS="$ROOT/.cache/tools"
# better-sqlite3 builds from source here; pnpm does not pass npm's nodedir to
# node-gyp, so point it at the headers Debian's nodejs installs.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"

if [[ "$("$TOOLS/node_modules/.bin/pnpm" --version 2>/dev/null || true)" != "$PNPM_VERSION" ]]; then
  echo "[bootstrap] installing pnpm $PNPM_VERSION" >&2
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" -E "pnpm@$PNPM_VERSION" >&2
fi
export PATH="$ROOT/node_modules/.bin:$TOOLS/node_modules/.bin:$PATH"

# Build tools for native addons, in case the machine lacks them.
command -v make >/dev/null && command -v g++ >/dev/null || {
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q build-essential python3 >/dev/null
}

stamp="$ROOT/node_modules/.bootstrap-stamp"
manifests=("$ROOT/pnpm-lock.yaml" "$ROOT/package.json")
for manifest in "$ROOT"/apps/*/package.json "$ROOT"/packages/*/package.json; do
  [[ -f "$manifest" ]] && manifests+=("$manifest")
done
lock_sum="$(cat "${manifests[@]}" | md5sum | cut -c1-32)"
if [[ "$(cat "$stamp" 2>/dev/null || true)" != "$lock_sum" ]]; then
  echo "[bootstrap] pnpm install" >&2
  (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=append-only >&2)
  echo "$lock_sum" > "$stamp"
fi

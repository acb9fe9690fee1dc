# Shared helpers for infra/local: paths, logging, waiting, pid files.
# Sourced by infra/local/svc and every services/<name>.sh.
set -euo pipefail

LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(cd "$LOCAL_DIR/../.." && pwd)"
DATA_ROOT="${BUCKET_EVENTS_DATA:-$PROJECT_ROOT/.data}"
CACHE_ROOT="${BUCKET_EVENTS_CACHE:-$PROJECT_ROOT/.cache}"

# Load ports and credentials without clobbering values exported by the caller.
while IFS='=' read -r name value; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  if [[ -z "${!name:-}" ]]; then export "$name=$value"; fi
done < "$LOCAL_DIR/services.env"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

apt_updated=0
# apt_install PKG... installs the Debian packages that are missing, once.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $apt_updated -eq 0 ]]; then
    log "apt-get update"
    apt-get update -q >/dev/null
    apt_updated=1
  fi
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# maven_libs NAME: copy the runtime jars named by infra/local/maven/NAME/pom.xml
# into $CACHE_ROOT/NAME-lib (Maven's own ~/.m2 keeps the downloads between clones).
maven_libs() {
  local name="$1" dir="$CACHE_ROOT/$1-lib"
  if [[ -f "$dir/.complete" ]]; then echo "$dir"; return 0; fi
  command -v mvn >/dev/null || apt_install maven
  log "resolving $name jars from Maven Central"
  rm -rf "$dir"; mkdir -p "$dir"
  mvn -q -B -f "$LOCAL_DIR/maven/$name/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$dir" >&2 || die "$name: could not resolve its jars from Maven Central"
  touch "$dir/.complete"
  echo "$dir"
}

require_java() {
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
}

# wait_until SERVICE TIMEOUT_SECONDS CHECK_FN: poll CHECK_FN until it succeeds.
wait_until() {
  local service="$1" timeout="$2" check="$3" waited=0
  until "$check" >/dev/null 2>&1; do
    if (( waited >= timeout * 2 )); then
      die "$service did not answer within ${timeout}s (log: $DATA_ROOT/$service/log)"
    fi
    sleep 0.5; waited=$((waited + 1))
  done
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pidfile SERVICE PIDFILE: TERM the process, KILL it after 30 s.
stop_pidfile() {
  local service="$1" pidfile="$2" pid i
  if ! pid_alive "$pidfile"; then rm -f "$pidfile"; return 0; fi
  pid="$(cat "$pidfile")"
  kill "$pid" 2>/dev/null || true
  for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "$service: still running, killing"; kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$pidfile"
}

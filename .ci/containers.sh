#!/usr/bin/env bash
# CI for the container files: builds the images, starts db + app with compose, probes the app
# through its published port, runs the tap suite in the compose `test` service against the db
# service, and always tears the stack down (volumes included). Exits non-zero on any failure.
# Needs the shared container toolchain beside the repository (../shared, or SHARED_DIR).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_DIR:-$(dirname "$root")/shared}
cd "$root"

bash "$shared/containers/setup.sh"
unset DOCKER_BUILDKIT   # no buildx here: the legacy builder is the one that works

# A project of its own, a free host port and a throwaway secret: never clashes with a
# developer's stack or another CI run on the same engine.
project=${CI_PROJECT:-campus-api-ci-$$}
export APP_IMAGE=${APP_IMAGE:-campus-api:local}
export TEST_IMAGE=${TEST_IMAGE:-campus-api:test}
export APP_PORT=${APP_PORT:-$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close() })")}
export JWT_SECRET=${JWT_SECRET:-$(node -e "console.log(require('node:crypto').randomBytes(48).toString('base64url'))")}
compose=(docker compose -p "$project")
base="http://127.0.0.1:$APP_PORT"
log=$(mktemp)

now () { date +%s.%N; }
since () { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
summary=()
step () { summary+=("$(printf '%-28s %s' "$1" "$2")"); echo "== $1: $2"; }

cleanup () {
  local rc=$?
  if [ "$rc" != 0 ]; then
    echo "== failed (exit $rc); recent logs:" >&2
    "${compose[@]}" logs --no-color --tail=50 >&2 || true
  fi
  local t; t=$(now)
  "${compose[@]}" --profile test down -v --remove-orphans || rc=1
  step "down -v" "$(since "$t")"
  rm -f "$log"
  echo
  echo "== summary ($project)"
  printf '  %s\n' "${summary[@]}"
  if [ "$rc" = 0 ]; then echo "  result: PASS"; else echo "  result: FAIL"; fi
  exit "$rc"
}
trap cleanup EXIT

t=$(now)
docker build -q --target runtime -t "$APP_IMAGE" . >/dev/null
docker build -q --target test -t "$TEST_IMAGE" . >/dev/null   # cached: the legacy builder built every stage already
step "image build" "$(since "$t")"
size=$(docker image inspect -f '{{.Size}}' "$APP_IMAGE")
step "image size ($APP_IMAGE)" "$((size / 1000 / 1000)) MB"

t=$(now)
"${compose[@]}" up -d --build --wait --wait-timeout 120
step "stack up to healthy" "$(since "$t")"

# Probes through the published port: status, JSON content type and the body that matters.
BASE=$base node --input-type=module -e '
const checks = [
  ["/health", 200, (b) => b.status === "ok"],
  ["/health/ready", 200, (b) => b.status === "ok" && b.database === "ok"],
  ["/swagger/json", 200, (b) => /^3\./.test(b.openapi) && typeof b.paths["/health"] === "object"],
  ["/no-such-route", 404, (b) => b.error?.code === "NOT_FOUND"]
]
let failed = 0
for (const [path, status, ok] of checks) {
  const res = await fetch(process.env.BASE + path)
  const type = res.headers.get("content-type") ?? ""
  const text = await res.text()
  let body
  try { body = JSON.parse(text) } catch { body = undefined }
  const pass = res.status === status && type.startsWith("application/json") && body !== undefined && ok(body)
  if (!pass) failed++
  console.log(`${pass ? "ok  " : "FAIL"} GET ${path} -> ${res.status} ${type}${pass ? "" : " " + text.slice(0, 200)}`)
}
process.exit(failed === 0 ? 0 : 1)
'
step "http probes" "4/4 ok"

t=$(now)
set +e
"${compose[@]}" --profile test run --rm -T test 2>&1 | tee "$log"
test_rc=${PIPESTATUS[0]}
set -e
step "test service run" "$(since "$t")"
step "test result" "$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1) (exit $test_rc)"
exit "$test_rc"

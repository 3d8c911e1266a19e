#!/bin/sh
# Runs the built service (dist/) with its runtime settings. `npm start`, the Dockerfile and the
# benchmark all start it through here, so what is measured is what runs. Arguments are passed
# to node as flags (the benchmark's --service-arg=--cpu-prof, for instance). Each setting can
# be overridden from the environment.
#
# Memory (the benchmark's target is a peak RSS under 150 MB; see README "Performance"):
# - GLIBC_TUNABLES: argon2 allocates 19 MiB per hash. glibc's default mmap threshold rises to
#   that size after the first such block is freed, after which every block stays in its
#   thread's arena for good. A fixed 4 MiB threshold maps and unmaps each block instead, and
#   hugetlb=1 backs it with transparent huge pages, which keeps that free of page-fault cost
#   (raw argon2id: no measurable change, against -20% with 4 KiB pages). Ignored off glibc.
# - --max-semi-space-size=4: V8's young generation stays at 8 MiB instead of growing to 32.
# - --heap-growing-percent=50: the old generation is collected once it has grown by half
#   since the last collection, instead of up to 4x; under database-bound saturation, requests
#   waiting on the pool get promoted and die there, and grew it to 70 MiB of garbage.
set -e
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=4194304}"
exec node \
  --max-semi-space-size="${NODE_SEMI_SPACE_MB:-4}" \
  --heap-growing-percent="${NODE_HEAP_GROWING_PERCENT:-50}" \
  "$@" "$(dirname "$0")/dist/start.cjs"

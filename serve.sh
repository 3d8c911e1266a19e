#!/bin/sh
# Runs the built service (dist/) with its runtime settings. `npm start`, the Dockerfile and the
# benchmark all start it through here, so what is measured is what runs. Arguments are passed
# to node as flags (the benchmark's --service-arg=--cpu-prof, for instance). Each setting can
# be overridden from the environment.
#
# Memory (the benchmark's target is a peak RSS under 150 MB; see README "Performance"):
# - argon2 allocates 19 MiB per hash, which glibc keeps in the hashing thread's arena once
#   freed and reuses for the next hash. The thread pool is HASH_CONCURRENCY threads (start.cjs),
#   so that is a fixed HASH_CONCURRENCY x 19 MiB, as much as the hashes running at once need
#   anyway. Giving the blocks back after each hash (GLIBC_TUNABLES=glibc.malloc.mmap_threshold=
#   4194304, with or without glibc.malloc.hugetlb=1) maps and faults 19 MiB per hash: raw
#   argon2id then ran 25-35 % slower here (52-62 against 72-89 verifications/s on two cores).
# - --max-semi-space-size=4: V8's young generation stays at 8 MiB instead of growing to 32.
# - --heap-growing-percent=50: the old generation is collected once it has grown by half
#   since the last collection, instead of up to 4x; under database-bound saturation, requests
#   waiting on the pool get promoted and die there, and grew it to 70 MiB of garbage.
set -e
exec node \
  --max-semi-space-size="${NODE_SEMI_SPACE_MB:-4}" \
  --heap-growing-percent="${NODE_HEAP_GROWING_PERCENT:-50}" \
  "$@" "$(dirname "$0")/dist/start.cjs"

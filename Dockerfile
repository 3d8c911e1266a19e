# campus-api container image. Legacy-builder compatible (no BuildKit-only syntax).
#   docker build -t campus-api .                 runtime image (the last stage)
#   docker build --target test -t campus-api:test .   dev dependencies kept, runs the tap suite
# NODE_IMAGE lets CI swap the base (e.g. a pinned patch release) without editing this file.
ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: all dependencies, compiled TypeScript. Runs as `node`, so the test stage inherits
# a tree that user can write (tap keeps its state in ./.tap).
FROM ${NODE_IMAGE} AS build
# argon2 0.45's linux-x64 prebuild declares Node-API 10; Node 20 offers 9 and crashes loading
# it (SIGSEGV, not an error), so node-gyp-build compiles argon2 from source. That needs a
# toolchain (this stage only; the runtime copies the result, build/Release, SSE2 baseline) and
# Node's headers. Official node images ship those in /usr/local/include/node, where node-gyp
# finds them; the offline stand-in image does not, and nodejs.org (node-gyp's download) is
# unreachable there. Debian's libnode-dev (Node 18) has the same Node-API 9 headers, and
# argon2 uses Node-API only, so its headers are unpacked (not installed) for that case.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && if [ ! -f /usr/local/include/node/node_api.h ]; then \
      cd /tmp && apt-get download libnode-dev \
      && dpkg-deb -x libnode-dev_*.deb /opt/node-headers && rm libnode-dev_*.deb; \
    fi \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN chown node:node /app
USER node
COPY --chown=node:node package.json package-lock.json ./
# Loading argon2 here fails the build, not the first login, if its binary is unusable.
RUN if [ -d /opt/node-headers ]; then export npm_config_nodedir=/opt/node-headers/usr; fi \
 && npm ci --no-audit --no-fund \
 && node -e "require('argon2')" \
 && npm cache clean --force
COPY --chown=node:node . .
RUN npm run build

# --- test: the compose `test` service runs the suite against DATABASE_URL (the `db` service).
FROM build AS test
ENV NODE_ENV=test
CMD ["node", "dist/test/run.js"]

# --- prune: production dependencies only, and no compiled tests or benchmarks.
FROM build AS prune
RUN npm prune --omit=dev --no-audit --no-fund \
 && rm -rf dist/test dist/bench

# --- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Root-owned (the legacy builder keeps the build stage's owner otherwise): the code is
# read-only to the user that runs it.
COPY --from=prune --chown=root:root /app/package.json ./
COPY --from=prune --chown=root:root /app/node_modules ./node_modules
COPY --from=prune --chown=root:root /app/dist ./dist
COPY --from=prune --chown=root:root /app/serve.sh ./
# DATA_DIR (./.data) is only used without DATABASE_URL (embedded PostgreSQL); it must be
# writable by the runtime user for that mode to work.
RUN mkdir .data && chown node:node .data
USER node
EXPOSE 8000
# No curl in the slim image; Node 20's fetch does the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["./serve.sh"]

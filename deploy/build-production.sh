#!/bin/sh
# The production build, as the Dockerfile's build stage runs it (and CI, in a clean folder):
# install the locked dependencies, compile every package to dist/, and write a production install
# of the command line to $1 (pnpm deploy: the cli package, its workspace packages' dist/, production
# dependencies only). The result runs with node alone: node bin/rally.js serve.
set -eu
out="${1:?usage: deploy/build-production.sh <output folder>}"
pnpm install --frozen-lockfile
pnpm build
rm -rf "$out"
pnpm --filter @rally/cli deploy --prod "$out"
# Only what runs: no lockfile or workspace file next to the server (pnpm deploy writes them).
rm -f "$out/pnpm-lock.yaml" "$out/pnpm-workspace.yaml"

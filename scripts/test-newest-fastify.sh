#!/usr/bin/env bash
# Runs the tests that pin Fastify internals and route truth against the newest Fastify 5 release (and
# the newest find-my-way its dependency range allows, as a fresh install would get), in a scratch copy
# of the repository, so a Fastify release that changes what lib/plugin/fastify-internals.ts reads fails here
# rather than in users' apps. The lockfile's Fastify is what `npm test` covers.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "test-newest-fastify: run it from a git checkout (it copies the files git knows)" >&2
  exit 2
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/fastify-cors-policy-newest-fastify.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# tracked files as they are in the working tree, plus files git does not ignore (none in a fresh
# clone; on a developer's machine, new files not yet committed); deleted tracked files are skipped
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' file; do
    if [ -e "$file" ] || [ -L "$file" ]; then printf '%s\0' "$file"; fi
  done |
  tar --null --files-from=- -cf - | tar -xf - -C "$scratch"
cd "$scratch"

npm ci --no-audit --no-fund

# the highest release `npm view` lists for a range (ranges without a pre-release tag list none)
newest () {
  npm view "$1" version --json | node -e '
    const listed = JSON.parse(require("node:fs").readFileSync(0, "utf8"))
    const parts = (version) => version.split(/[-+]/)[0].split(".").map(Number)
    const compare = (a, b) => parts(a).reduce((order, part, i) => order || part - parts(b)[i], 0)
    const versions = (Array.isArray(listed) ? listed : [listed]).sort(compare)
    if (versions.length === 0) process.exit(1)
    process.stdout.write(String(versions[versions.length - 1]))
  '
}

fastify_version=$(newest 'fastify@5')
echo "test-newest-fastify: newest Fastify 5 on the registry: $fastify_version"
fmw_range=$(npm view "fastify@$fastify_version" dependencies.find-my-way)
if [ -z "$fmw_range" ]; then
  echo "test-newest-fastify: fastify $fastify_version no longer depends on find-my-way: lib/plugin/fastify-internals.ts must be revisited" >&2
  exit 1
fi
fmw_version=$(newest "find-my-way@$fmw_range")
echo "test-newest-fastify: Fastify $fastify_version depends on find-my-way $fmw_range; newest: $fmw_version"
npm install --no-save --no-audit --no-fund "fastify@$fastify_version" "find-my-way@$fmw_version"

# what Fastify itself loads, not what was asked for
installed=$(node -e '
  const { createRequire } = require("node:module")
  const fastifyRequire = createRequire(require.resolve("fastify"))
  const fmw = fastifyRequire("find-my-way/package.json").version
  process.stdout.write(`fastify ${require("fastify/package.json").version}, find-my-way ${fmw}`)
')
echo "test-newest-fastify: installed $installed"
case "$installed" in
  "fastify $fastify_version, find-my-way $fmw_version") ;;
  *) echo "test-newest-fastify: expected fastify $fastify_version, find-my-way $fmw_version" >&2; exit 1 ;;
esac

npm run build
# build tap's Test class once with the configured plugins (tap's own TypeScript plugin excluded)
npx tap build >/dev/null

status=0
npx tap test/plugin/*.test.ts test/regression/*.test.ts || status=$?
if [ "$status" -eq 0 ]; then
  echo "test-newest-fastify: passed with $installed"
else
  echo "test-newest-fastify: FAILED with $installed (tap exit status $status)" >&2
fi
exit "$status"

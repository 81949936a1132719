#!/usr/bin/env bash
# The README's GitHub Actions budget step, run locally: GitHub sets GITHUB_STEP_SUMMARY to a file whose markdown it
# shows on the run page. Usage: scripts/ci-budget-example.sh DB SUMMARY_FILE
# It calls this checkout's bin directly: a first `npx llmcost` in a fresh clone installs the project into npx's cache,
# which runs `prepare` (tsc) and rewrites dist/ under any CLI running at the same moment.
set -uo pipefail
export GITHUB_STEP_SUMMARY="$2"
node "$(dirname "$0")/../bin/llmcost.js" budget --db "$1" --max-daily 5 --max-monthly 120 --spike 2.0 --fail-on-unpriced 2

#!/usr/bin/env bash
# The README's GitHub Actions budget step, run locally: GitHub sets GITHUB_STEP_SUMMARY to a file whose markdown it
# shows on the run page. Usage: scripts/ci-budget-example.sh DB SUMMARY_FILE
set -uo pipefail
export GITHUB_STEP_SUMMARY="$2"
npx --no-install llmcost budget --db "$1" --max-daily 5 --max-monthly 120 --spike 2.0 --fail-on-unpriced 2

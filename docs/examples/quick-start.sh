#!/usr/bin/env bash
# The command-line quick start of docs/getting-started.md. `cli.spec.ts`
# runs the session below line by line in an empty directory holding
# quick-start.ndjson, and compares each command's output with the comment
# lines under it.
set -euo pipefail

# #region session
export EVENTCRM_STORE=sqlite:./crm.db
eventcrm exec quick-start.ndjson
eventcrm --json ownership cus-1 --as-of 2026-01-20T00:00:00Z
# {"customerId":"cus-1","asOf":"2026-01-20T00:00:00.000Z","owner":"u-alice"}
eventcrm --json portfolio u-bob --as-of 2026-02-12T00:00:00Z
# {"memberId":"u-bob","asOf":"2026-02-12T00:00:00.000Z","customers":["cus-1"]}
eventcrm ownership cus-1
eventcrm funnel --currency USD
eventcrm reminders --member u-bob --as-of 2026-03-11T00:00:00Z
eventcrm --json pool sweep --as-of 2026-03-14T00:00:00Z --dry-run
# {"asOf":"2026-03-14T00:00:00.000Z","dryRun":true,"recycles":[{"customerId":"cus-1","owner":"u-bob","rule":"no_follow_up","idleDays":30}],"skipped":[]}
eventcrm verify
eventcrm audit cus-1
# #endregion session

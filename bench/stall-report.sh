# Sourced by bench/write-stall.sh and bench/citus-write-stall.sh: one scenario's line from the
# pgbench run in WORKDIR (pgbench.out and its per-transaction logs, -l).
# Usage: stall_report SCENARIO PARTITIONS_BEFORE PARTITIONS_AFTER STEP_SECONDS WORKDIR
stall_report() {
  local failed
  failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$5/pgbench.out")
  cat "$5"/pgbench_log.* | awk -v s="$1" -v failed="${failed:-?}" -v parts="$2 -> $3" -v took="$4" \
    '{ if ($3 > max) max = $3; n++ } END { printf "%-18s max insert latency %9.1f ms   failed %s   inserts %6d   partitions %s   step took %ss\n", s, max / 1000, failed, n, parts, took }'
}

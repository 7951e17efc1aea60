# Sourced by .ci/run: the test suite, already compiled by `mvn -B verify` on the system's
# PostgreSQL 15, run again against each other supported major on a throwaway server
# (.ci/postgres-major.sh). 18, the newest and the one that changed the catalog most (NOT NULL as
# constraints), gets the whole suite like 15; 14, 16 and 17 get the classes tagged
# version-sensitive (io.partwarden.testing.VersionSensitive), which keeps CI under its 45 minutes.
# README, section PostgreSQL versions, says why.

# tests_on_pg MAJOR [GROUPS]: the suite (or the JUnit tag GROUPS) against a new server of MAJOR,
# reports into target/surefire-reports-pgMAJOR. Fails if a test fails or none ran. The server
# and its directory go when this returns, however it returns.
tests_on_pg() {
  local major=$1 groups=${2:-}
  # a subshell so the EXIT trap stops this server and no other; callers may run it in an `if`,
  # where errexit is off, so every step is checked by hand
  (
    dir=$(mktemp -d "${TMPDIR:-/tmp}/partwarden-pg$major.XXXXXX") || exit 1
    trap '.ci/postgres-major.sh stop "$dir"' EXIT
    trap 'exit 130' INT TERM HUP
    url=$(.ci/postgres-major.sh start "$major" "$dir") || { echo "PostgreSQL $major did not start" >&2; exit 1; }
    version=$(psql -h 127.0.0.1 -p "$(cat "$dir/port")" -U postgres -d postgres -Atc 'SELECT version()') || exit 1
    reports=target/surefire-reports-pg$major
    rm -rf "$reports"
    started=$(date +%s)
    status=0
    PARTWARDEN_TEST_JDBC_URL=$url mvn -B -Dstyle.color=never surefire:test -Dsurefire.reports.dir="$PWD/$reports" ${groups:+-Dgroups="$groups"} \
      || status=$?
    # tests, failures, errors, skipped, summed over the classes' reports
    read -r tests failures errors skipped < <(python3 - "$reports" <<'EOF'
import glob, sys, xml.etree.ElementTree as ET
totals = [0, 0, 0, 0]
for f in glob.glob(sys.argv[1] + "/TEST-*.xml"):
    root = ET.parse(f).getroot()
    for i, k in enumerate(("tests", "failures", "errors", "skipped")):
        totals[i] += int(root.get(k, 0))
print(*totals)
EOF
    )
    echo "PG_MAJOR_RESULT $major | ${groups:-whole suite} | $version | tests run ${tests:-0}, failures ${failures:-?}," \
      "errors ${errors:-?}, skipped ${skipped:-?} | $(( $(date +%s) - started ))s" | tee -a target/postgres-majors.txt
    [ "$status" -eq 0 ] || exit "$status"
    [ "${tests:-0}" -gt 0 ] || { echo "PostgreSQL $major: no test ran" >&2; exit 1; }
  )
}

tests_pg15() { tests_on_pg 15; }  # not run by CI (verify runs on the system's 15); for a machine without one
tests_pg14() { tests_on_pg 14 version-sensitive; }
tests_pg16() { tests_on_pg 16 version-sensitive; }
tests_pg17() { tests_on_pg 17 version-sensitive; }
tests_pg18() { tests_on_pg 18; }

# Every major after 15, each run to its end even if one before failed, then a summary; fails if any did.
tests_other_majors() {
  local step failed=()
  rm -f target/postgres-majors.txt
  for step in tests_pg18 tests_pg14 tests_pg16 tests_pg17; do
    log "$step"
    if ! "$step"; then failed+=("$step"); fi
  done
  log "The suite by PostgreSQL major"
  cat target/postgres-majors.txt 2>/dev/null || true
  [ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]}" >&2; return 1; }
}

#!/usr/bin/env bash
# Proves backup.sh and restore.sh round-trip: dump DATABASE_URL, restore into a scratch database,
# compare row counts of the main tables, drop the scratch database. Prints "backup/restore OK".
set -euo pipefail
src="${DATABASE_URL:?set DATABASE_URL (postgres://user@host:port/db)}"
base="${src%/*}"
scratch="restorecheck_$$"
work=$(mktemp -d)
trap 'dropdb --if-exists "$scratch" --maintenance-db "$src" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
dump=$("$(dirname "$0")/backup.sh" "$work")
createdb --maintenance-db "$src" "$scratch"
DATABASE_URL="$base/$scratch" "$(dirname "$0")/restore.sh" "$dump"
for table in organizations_region organizations_enterprise organizations_partyorganization \
             organizations_coveragelink members_member core_user; do
  a=$(psql "$src" -tAc "SELECT count(*) FROM $table")
  b=$(psql "$base/$scratch" -tAc "SELECT count(*) FROM $table")
  [ "$a" = "$b" ] || { echo "mismatch in $table: $a vs $b"; exit 1; }
done
echo "backup/restore OK"

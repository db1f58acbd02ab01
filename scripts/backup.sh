#!/usr/bin/env bash
# Back up the database (pg_dump custom format) and the attachments (MEDIA_ROOT) into DIR.
# Usage: DATABASE_URL=postgres://... MEDIA_ROOT=/srv/portal/media scripts/backup.sh DIR
set -euo pipefail
dir="${1:?usage: backup.sh DIR}"
mkdir -p "$dir"
stamp=$(date +%Y%m%d-%H%M%S)
pg_dump --format=custom --no-owner --file "$dir/portal-$stamp.dump" "${DATABASE_URL:?set DATABASE_URL}"
if [ -n "${MEDIA_ROOT:-}" ] && [ -d "$MEDIA_ROOT" ]; then
  tar czf "$dir/media-$stamp.tgz" -C "$MEDIA_ROOT" .
fi
echo "$dir/portal-$stamp.dump"

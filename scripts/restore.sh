#!/usr/bin/env bash
# Restore a dump made by backup.sh into an EMPTY database, and (optionally) its attachments archive.
# Usage: DATABASE_URL=postgres://.../empty_db scripts/restore.sh portal-STAMP.dump [media-STAMP.tgz MEDIA_ROOT]
set -euo pipefail
dump="${1:?usage: restore.sh DUMP [MEDIA_TGZ MEDIA_ROOT]}"
pg_restore --no-owner --exit-on-error --dbname "${DATABASE_URL:?set DATABASE_URL}" "$dump"
if [ -n "${2:-}" ]; then
  mkdir -p "${3:?media root}"
  tar xzf "$2" -C "$3"
fi

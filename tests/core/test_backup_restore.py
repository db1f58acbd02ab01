import os
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import require_service

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_backup_restore.sh"


@pytest.mark.service
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip(world):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'root'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    out = subprocess.run(["bash", str(SCRIPT)], env={**os.environ, "DATABASE_URL": url}, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0 and "backup/restore OK" in out.stdout, out.stdout + out.stderr

"""The zh_Hans catalogues are complete: every entry translated, none fuzzy, and the committed .mo files say what
the .po files say (a page cannot fall back to English because someone forgot to fill or compile)."""

import ast
import gettext
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(p for p in BASE_DIR.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def entries(path):
    """(flags, msgctxt, msgid, [msgstr…]) of every live (non-obsolete) entry of a .po file."""
    found = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        if not lines:
            continue
        flags = ",".join(line[2:] for line in lines if line.startswith("#,"))
        parts, current = {}, None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                parts[current] += ast.literal_eval(line)
                continue
            current, _space, rest = line.partition(" ")
            parts[current] = ast.literal_eval(rest)
        if "msgid" in parts and parts["msgid"]:
            strings = [value for key, value in parts.items() if key.startswith("msgstr")]
            found.append((flags, parts.get("msgctxt"), parts["msgid"], strings))
    return found


def test_there_are_catalogues():
    assert {p.parts[-5] for p in CATALOGUES} >= {"activities", "instructors", "reports"}
    assert BASE_DIR / "locale/zh_Hans/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_every_entry_is_translated_and_none_is_fuzzy(path):
    problems = [(msgid, "fuzzy" if "fuzzy" in flags else "empty") for flags, _ctx, msgid, strings in entries(path)
                if "fuzzy" in flags or not all(strings)]
    assert problems == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_the_compiled_catalogue_matches_the_po_file(path):
    with open(path.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for _flags, context, msgid, strings in entries(path):
        if len(strings) != 1:
            continue  # plural forms: checked by the entry above
        text = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        if text != strings[0]:
            stale.append(msgid)
    assert stale == [], "run manage.py compilemessages --ignore=.venv"

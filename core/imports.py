"""One import mechanism for CSV and XLSX files: validate the whole file, list every bad row, write nothing
unless all rows are good, upsert by natural key, and do it in a constant number of queries.

Why not django-import-export's resources: they look up the instance and every foreign key row by row
(N+1 queries), which does not survive a million-row province file. Here a kind preloads everything the file
references in a few set-based queries, validates each row in memory, then writes with bulk operations.
See docs/imports.md for operators and for the full API.

Adding a kind (members, instructors, ... do this in their app's `imports.py`; the registry imports every
installed app's `imports` module the first time a kind is asked for):

    from core.imports import Column, ImportKind, PlannedRow, changed, register, rows_in

    @register
    class InstructorImport(ImportKind):
        key = "instructors"                      # the KIND of `manage.py import_data KIND FILE`
        label = gettext_lazy("Instructors")      # shown on the import page
        model = Instructor
        natural_key = "id_number"                # column identifying an existing row (upsert); "" = none
        columns = [                              # English key (header), Chinese label (template header)
            Column("name", "姓名", required=True),
            Column("id_number", "身份证号", required=True, normalize=str.upper),
            Column("type", "类型", required=True, kind="choice", choices=InstructorType),  # code or label
            Column("active_from", "开始日期", kind="date"),
        ]
        field_for_column = {"type_code": "type"} # column key → model field, when they differ (places errors)

        def preload(self, rows, user):           # rows: every typed row; a FEW queries, never one per row
            return {"existing": {i.id_number: i for i in rows_in(
                Instructor.objects.visible_to(user), "id_number", {r["id_number"] for r in rows})}}

        def build(self, values, ctx):            # one row → PlannedRow; raise ValidationError({column_or_field:
            existing = ctx["existing"].get(values["id_number"])              #   message}) when wrong
            fields = {"name": values["name"], "type": values["type"], ...}
            if existing is None:
                return PlannedRow(0, "create", Instructor(id_number=values["id_number"], **fields), values)
            if not changed(existing, fields):
                return PlannedRow(0, "unchanged", existing, values)
            for name, value in fields.items():
                setattr(existing, name, value)
            return PlannedRow(0, "update", existing, values)

        # optional: update_fields() (fields bulk_update writes, default: the columns that are model fields),
        # check_plan(plan, ctx) → [RowError] for rules across rows, write(plan, user) for custom writes.

Rows arrive as dicts of already-typed values keyed by column key (missing columns are None; `self.given(key)`
says whether the file has the column at all — when updating, leave the fields of absent columns alone). The machinery
parses the file, maps headers (English key or Chinese label, any case), converts types, detects duplicate
natural keys in the file, runs `build` for every row and then the model's own `full_clean(exclude=relations
and tree bookkeeping, validate_unique=False, validate_constraints=False)` — field validators and `clean()`,
no query per row. Then it either reports every error (`row N, column: message`, N counted as in the
spreadsheet, header = 1; messages in the active language) or calls `write` inside one transaction. The
default `write` uses simple_history's bulk helpers, so every created/updated row gets its audit row with the
acting user; unchanged rows are not written at all (re-importing a file adds no history).
References to objects outside the user's scope must be looked up through `visible_to(user)` so they read as
"does not exist".
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import import_module
from typing import Callable

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .dbstats import analyze_stale

BATCH = 2000
# Largest `IN (...)` list sent at once: SQLite allows 32766 parameters, PostgreSQL plans long lists badly.
IN_CHUNK = 5000
_registry: dict[str, type] = {}
_discovered = False


def register(kind_class):
    """Class decorator adding an ImportKind to the registry under its `key`."""
    _registry[kind_class.key] = kind_class
    return kind_class


def kinds() -> dict:
    """Every registered kind, importing each installed app's `imports` module on first use."""
    global _discovered
    if not _discovered:
        for config in apps.get_app_configs():
            try:
                import_module(f"{config.name}.imports")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.imports":
                    raise
        _discovered = True
    return dict(_registry)


def get_kind(key):
    try:
        return kinds()[key]()
    except KeyError as exc:
        raise ImportFileError(_("Unknown import kind “%(kind)s”. Known kinds: %(known)s.") % {
            "kind": key, "known": ", ".join(sorted(kinds()))}) from exc


def rows_in(queryset, field_name, values, chunk=IN_CHUNK):
    """Objects of `queryset` whose `field_name` is in `values`: one query per `chunk` values (a file of
    200,000 rows makes 40 queries, not 200,000, and no IN list overflows SQLite's parameter limit)."""
    values = [v for v in set(values) if v is not None and v != ""]
    found = []
    for start in range(0, len(values), chunk):
        found.extend(queryset.filter(**{f"{field_name}__in": values[start:start + chunk]}))
    return found


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, header)."""


def _both_languages(label):
    """A choice label in Chinese and English (lazy labels translate to the active language only)."""
    names = {str(label).strip().lower()}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names.add(str(label).strip().lower())
    return names


@dataclass
class Column:
    key: str
    label: str
    required: bool = False
    kind: str = "str"  # str, int, decimal, date, bool, choice, list
    choices: object = None  # a TextChoices class for kind="choice"
    help: str = ""
    normalize: Callable | None = None  # applied to a non-empty converted value (e.g. USCC compaction)
    _lookup: dict | None = field(default=None, init=False, repr=False, compare=False)

    def choice_lookup(self) -> dict:
        """Code, Chinese label and English label (any case) → code; built once per column."""
        if self._lookup is None:
            lookup = {}
            for value, label in self.choices.choices:
                for name in _both_languages(label):
                    lookup.setdefault(name, value)
                    # Industry labels read "C Manufacturing" / "C 制造业": the words alone match too.
                    prefix = f"{str(value).lower()} "
                    if name.startswith(prefix):
                        lookup.setdefault(name[len(prefix):].strip(), value)
            for value, _label in self.choices.choices:
                lookup[str(value).lower()] = value
            self._lookup = lookup
        return self._lookup

    def convert(self, raw):
        value = self._convert(raw)
        if value is not None and self.normalize is not None:
            value = self.normalize(value)
        return value

    def _convert(self, raw):
        """Typed value from a cell (str, number, date, None); raises ValueError with the message to show."""
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            if self.required:
                raise ValueError(_("This column is required."))
            return None
        if self.kind == "str":
            return str(raw).strip() if not isinstance(raw, float) else format_number(raw)
        if self.kind == "int":
            try:
                number = Decimal(str(raw).strip())
            except InvalidOperation as exc:
                raise ValueError(_("“%(value)s” is not a whole number.") % {"value": raw}) from exc
            if not number.is_finite() or number != number.to_integral_value():
                raise ValueError(_("“%(value)s” is not a whole number.") % {"value": raw})
            return int(number)
        if self.kind == "decimal":
            try:
                number = Decimal(str(raw).strip())
            except InvalidOperation as exc:
                raise ValueError(_("“%(value)s” is not a number.") % {"value": raw}) from exc
            if not number.is_finite():
                raise ValueError(_("“%(value)s” is not a number.") % {"value": raw})
            return number
        if self.kind == "date":
            if isinstance(raw, datetime.datetime):
                return raw.date()
            if isinstance(raw, datetime.date):
                return raw
            text = str(raw).strip().replace("/", "-").replace(".", "-")
            try:
                return datetime.datetime.strptime(text, "%Y-%m-%d").date()
            except ValueError as exc:
                raise ValueError(_("“%(value)s” is not a date (use YYYY-MM-DD).") % {"value": raw}) from exc
        if self.kind == "bool":
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "y", "是", "有", "√"}:
                return True
            if text in {"0", "false", "no", "n", "否", "无", "×"}:
                return False
            raise ValueError(_("“%(value)s” is not yes/no (use 是/否 or true/false).") % {"value": raw})
        if self.kind == "choice":
            text = str(raw).strip().lower()
            try:
                return self.choice_lookup()[text]
            except KeyError:
                raise ValueError(_("“%(value)s” is not one of: %(choices)s.") % {
                    "value": raw, "choices": "、".join(str(label) for _value, label in self.choices.choices)
                }) from None
        if self.kind == "list":
            return [part.strip() for part in str(raw).replace("；", ";").split(";") if part.strip()]
        raise AssertionError(self.kind)


def format_number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


@dataclass
class RowError:
    row: int  # spreadsheet row number (header = 1); 0 for the file as a whole
    column: str
    message: str

    def __str__(self):
        if not self.row:
            return str(self.message)
        if self.column:
            return _("row %(row)d, %(column)s: %(message)s") % {"row": self.row, "column": self.column,
                                                                 "message": self.message}
        return _("row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class PlannedRow:
    row: int
    action: str  # create, update, unchanged
    instance: object
    values: dict
    extra: dict = field(default_factory=dict)


@dataclass
class ImportResult:
    kind: str
    errors: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    plan: list = field(default_factory=list)
    written: bool = False
    columns: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors and not self.file_errors

    def count(self, action):
        return sum(1 for p in self.plan if p.action == action)

    @property
    def summary(self):
        return {"created": self.count("create"), "updated": self.count("update"),
                "unchanged": self.count("unchanged"), "errors": len(self.errors) + len(self.file_errors)}

    def messages(self):
        return [str(e) for e in self.file_errors] + [str(e) for e in self.errors]


class ImportKind:
    key = ""
    label = ""
    model = None
    natural_key = ""
    columns: list = []
    # column key → model field, when they differ (region_code → region); places model errors under a column
    field_for_column: dict = {}
    roles = frozenset({"admin", "region_editor"})
    current_row = 0  # the spreadsheet row `build` is looking at
    present: frozenset = frozenset()  # keys of the columns the file has (an absent column keeps stored values)

    def filled_models(self) -> list:
        """The models whose tables `write` fills (their statistics are refreshed after a large import)."""
        return [self.model]

    def given(self, key) -> bool:
        """Whether the file has this column. Upserts leave fields of absent columns as they are stored."""
        return key in self.present

    def preload(self, rows, user):
        return {}

    def build(self, values, context):
        raise NotImplementedError

    def check_plan(self, plan, context) -> list:
        """Rules across rows once every row is built (e.g. cycles in a tree); returns RowErrors."""
        return []

    def clean_exclude(self):
        """Left out of `full_clean`: relations (resolved from preloaded sets, so no query per row) and
        treebeard bookkeeping."""
        names = [f.name for f in self.model._meta.concrete_fields if f.is_relation]
        return names + [n for n in ("path", "depth", "numchild") if hasattr(self.model, n)]

    def compare_fields(self):
        """Fields whose change makes an existing row 'updated'."""
        return [c.key for c in self.columns if c.key in {f.name for f in self.model._meta.concrete_fields}]

    def write(self, plan, user):
        creates = [p.instance for p in plan if p.action == "create"]
        updates = [p.instance for p in plan if p.action == "update"]
        if creates:
            bulk_create_with_history(creates, self.model, batch_size=BATCH, default_user=user)
        if updates:
            bulk_update_with_history(updates, self.model, self.update_fields(), batch_size=BATCH, default_user=user)

    def update_fields(self):
        return self.compare_fields()

    def column_label(self, field_name):
        """The column header (Chinese label) under which an error about `field_name` is shown."""
        key = {model_field: column for column, model_field in self.field_for_column.items()}.get(
            field_name, field_name)
        for column in self.columns:
            if column.key == key:
                return column.label
        return ""


def column_for_field(kind, field_name):
    return kind.column_label(field_name)


def touch(instances, field_name="updated_at"):
    """bulk_update skips `auto_now`: set the timestamp on updated rows ourselves."""
    from django.utils import timezone  # noqa: PLC0415

    now = timezone.now()
    for instance in instances:
        setattr(instance, field_name, now)


# --- reading files -----------------------------------------------------------------------------

def check_xlsx_archive(data: bytes):
    """Refuse an XLSX that would blow up when opened, before any parser sees it (a decompression bomb).

    An XLSX is a zip: the central directory says how large each member unpacks, so an archive that unpacks
    past IMPORT_XLSX_MAX_UNPACKED bytes, has a member packed more than IMPORT_XLSX_MAX_RATIO times, or has
    too many members is refused from its directory alone; the shared-strings table (which openpyxl loads
    whole, before the first row) is counted while streaming and refused past IMPORT_XLSX_MAX_SHARED_STRINGS.
    """
    import zipfile  # noqa: PLC0415

    refuse = _("This XLSX file unpacks to far more data than a register file holds (a damaged or malicious "
               "file?); it was not opened. Save it again from the spreadsheet program, or split it.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportFileError(_("This is not a readable XLSX file.")) from exc
    with archive:
        members = archive.infolist()
        if len(members) > 1000:
            raise ImportFileError(refuse)
        if sum(m.file_size for m in members) > settings.IMPORT_XLSX_MAX_UNPACKED:
            raise ImportFileError(refuse)
        for member in members:
            if member.file_size > 1 << 20 and member.file_size > settings.IMPORT_XLSX_MAX_RATIO * max(
                    member.compress_size, 1):
                raise ImportFileError(refuse)
        names = {m.filename.lower(): m for m in members}
        strings = names.get("xl/sharedstrings.xml")
        if strings is not None:
            limit, count, tail = settings.IMPORT_XLSX_MAX_SHARED_STRINGS, 0, b""
            with archive.open(strings) as stream:
                while chunk := stream.read(1 << 20):
                    window = tail + chunk
                    count += window.count(b"<si>") + window.count(b"<si ") - tail.count(b"<si>") - tail.count(b"<si ")
                    tail = window[-4:]
                    if count > limit:
                        raise ImportFileError(_("This XLSX file holds more than %(max)d different texts; a register "
                                                "file of at most %(rows)d rows does not. It was not opened.")
                                              % {"max": limit, "rows": settings.IMPORT_MAX_ROWS})


def read_table(data: bytes, filename: str, max_rows=None):
    """(header, rows) from CSV (UTF-8 with or without BOM, else GB18030) or XLSX bytes. Reads at most
    `max_rows + 1` data rows, so an oversized file is refused without loading all of it."""
    name = filename.lower()
    limit = None if max_rows is None else max_rows + 2  # header + one row too many
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook  # noqa: PLC0415

        check_xlsx_archive(data)
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append(list(row))
                if limit is not None and len(rows) >= limit:
                    break
            workbook.close()
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is a file error
            raise ImportFileError(_("This is not a readable XLSX file.")) from exc
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))
        rows = []
        try:
            for row in csv.reader(io.StringIO(text, newline="")):
                rows.append(row)
                if limit is not None and len(rows) >= limit:
                    break
        except csv.Error as exc:
            raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file."))
    while rows and all(cell in (None, "") for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError(_("The file is empty."))
    header = ["" if c is None else str(c).strip() for c in rows[0]]
    return header, rows[1:]


def map_header(kind, header):
    by_name = {}
    for column in kind.columns:
        by_name[column.key.lower()] = column
        by_name[column.label.lower()] = column
    mapping, errors, seen = {}, [], set()
    for index, name in enumerate(header):
        if not name:
            continue
        column = by_name.get(name.lower())
        if column is None:
            # named as in the template (its Chinese headers); the English keys are accepted too (docs/imports.md)
            errors.append(RowError(1, name, _("Unknown column. Expected: %(cols)s.") % {
                "cols": "、".join(c.label for c in kind.columns)}))
            continue
        if column.key in seen:
            errors.append(RowError(1, name, _("This column appears twice.")))
        seen.add(column.key)
        mapping[index] = column
    for column in kind.columns:
        if column.required and column.key not in seen:
            errors.append(RowError(1, column.label, _("Required column “%(label)s” is missing.") % {
                "label": column.label}))
    return mapping, errors


# --- the run -------------------------------------------------------------------------------------

def _add_validation_errors(result, kind, number, error):
    if hasattr(error, "error_dict"):
        for field_name, messages in error.message_dict.items():
            column = kind.column_label(field_name) if field_name != "__all__" else ""
            for message in messages:
                result.errors.append(RowError(number, column, message))
    else:
        for message in error.messages:
            result.errors.append(RowError(number, "", message))


def run_import(kind_key, data: bytes, filename: str, user, *, dry_run=False, progress=None) -> ImportResult:
    """Validate the whole file; unless `dry_run` or any error, write it all in one transaction.

    `progress(percent)`, when given, is called as the run advances (a job's progress bar)."""
    report = progress or (lambda percent: None)
    kind = get_kind(kind_key)
    result = ImportResult(kind=kind_key, columns=kind.columns)
    try:
        header, raw_rows = read_table(data, filename, max_rows=settings.IMPORT_MAX_ROWS)
    except ImportFileError as error:
        result.file_errors.append(RowError(0, "", str(error)))
        return result
    if len(raw_rows) > settings.IMPORT_MAX_ROWS:
        result.file_errors.append(RowError(0, "", _("The file has more than %(max)d rows; import at most %(max)d "
                                                    "at a time.") % {"max": settings.IMPORT_MAX_ROWS}))
        return result
    mapping, header_errors = map_header(kind, header)
    if header_errors:
        result.file_errors.extend(header_errors)
        return result
    if not any(any(cell is not None and str(cell).strip() for cell in raw) for raw in raw_rows):
        result.file_errors.append(RowError(0, "", _("The file has a header but no data rows.")))
        return result

    kind.present = frozenset(column.key for column in mapping.values())
    report(10)
    typed = []
    total = max(len(raw_rows), 1)
    for offset, raw in enumerate(raw_rows):
        if offset and offset % 5000 == 0:
            report(10 + 30 * offset // total)
        number = offset + 2
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in raw):
            continue
        values, ok = {}, True
        for index, column in mapping.items():
            cell = raw[index] if index < len(raw) else None
            try:
                values[column.key] = column.convert(cell)
            except ValueError as error:
                result.errors.append(RowError(number, column.label, str(error)))
                ok = False
        for column in kind.columns:
            values.setdefault(column.key, None)
        typed.append((number, values, ok))

    context = kind.preload([v for _n, v, _ok in typed], user)
    report(45)
    seen_keys = {}
    exclude = kind.clean_exclude()
    for index, (number, values, ok) in enumerate(typed):
        if index and index % 5000 == 0:
            report(45 + 40 * index // total)
        if not ok:
            continue
        key = values.get(kind.natural_key) if kind.natural_key else None
        if key is not None:
            if key in seen_keys:
                result.errors.append(RowError(number, kind.column_label(kind.natural_key),
                                              _("Same key as row %(row)d.") % {"row": seen_keys[key]}))
                continue
            seen_keys[key] = number
        kind.current_row = number  # for messages that name another row ("same as row 3")
        try:
            planned = kind.build(values, context)
            planned.row = number
            instance = planned.instance
            if instance is not None and planned.action != "unchanged":
                instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            _add_validation_errors(result, kind, number, error)
            continue
        result.plan.append(planned)
    if not result.errors:
        result.errors.extend(kind.check_plan(result.plan, context))
    result.errors.sort(key=lambda e: e.row)
    if result.ok and not dry_run:
        report(90)
        try:
            with transaction.atomic():
                kind.write(result.plan, user)
                from reports.incremental import bulk_changed  # noqa: PLC0415  (rows written in bulk send no signals)
                bulk_changed(*kind.filled_models())
        except ValidationError as error:  # a rule only the write could see (e.g. a concurrent change)
            _add_validation_errors(result, kind, 0, error)
        except DatabaseError as error:  # e.g. a unique key taken by someone else since the check
            result.file_errors.append(RowError(0, "", _("Nothing was written: the database refused the "
                                                        "changes (%(error)s). Check the file and try again.")
                                               % {"error": error}))
        else:
            result.written = True
            # A large file changes the tables' size: refresh their planner statistics (cheap when it didn't).
            analyze_stale(kind.filled_models())
    return result


def changed(instance, values: dict) -> bool:
    """Whether setting `values` on `instance` would change it (compare FK ids, not objects: no queries)."""
    return any(getattr(instance, name) != value for name, value in values.items())


def template_csv(kind) -> bytes:
    """Header row of Chinese labels, UTF-8 with BOM so that Excel opens it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.label for c in kind.columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(kind) -> bytes:
    """Row 1: Chinese labels (bold, required ones marked in red), each with a comment giving the English key,
    whether it is required and the accepted codes. A second sheet documents every column."""
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.comments import Comment  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(kind.label)[:31]
    guide = workbook.create_sheet(_("Columns")[:31])
    guide.append([_("Column"), _("Key"), _("Required"), _("Accepted values")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(kind.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.label)
        cell.font = Font(bold=True, color="C00000" if column.required else None)
        note = f"{column.key}{' *' if column.required else ''}"
        accepted = str(column.help or "")
        if column.kind == "choice":
            accepted = " / ".join(f"{value} {label}" for value, label in column.choices.choices)
        elif column.kind == "date":
            accepted = "YYYY-MM-DD"
        if accepted:
            note += "\n" + accepted
        cell.comment = Comment(note, "portal")
        sheet.column_dimensions[cell.column_letter].width = max(14, len(column.label) * 2 + 4)
        guide.append([column.label, column.key, _("yes") if column.required else "", accepted])
    guide.column_dimensions["A"].width = 30
    guide.column_dimensions["D"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Generic pages every app builds on: list (filter, sort, paginate, export), detail, edit, history.

    class EnterpriseListView(ObjectListView):
        model = Enterprise
        filterset_class = EnterpriseFilterSet          # the SAME FilterSet the API viewset uses
        columns = [Column("name", _("Name"), link=True), Column("region.name", _("Region"), sort="region__code")]

    class EnterpriseDetailView(ObjectDetailView):  model = Enterprise   # template <app>/<model>_detail.html
    class EnterpriseEditView(ObjectEditView):      model = Enterprise; form_class = EnterpriseForm
    class EnterpriseHistoryView(ObjectHistoryView): model = Enterprise

Every view reads through `Model.objects.visible_to(user)` (out of scope → 404), checks the role
(`view_roles` / `edit_roles`, defaults in core.roles) and masks the model's `sensitive_fields` for users
without the sensitive-data permission. Writes run in a transaction and re-check scope after saving.
Exports (`?export=csv|xlsx`) stream the filtered, sorted list and are recorded in `ExportRecord`.
"""

import csv
import datetime
import hashlib
import io
from dataclasses import dataclass
from typing import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext_lazy

from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from .api import lock_row
from .cells import csv_cell, xlsx_cell
from .forms import PICKABLE, MultiPickerInput, NaturalKeyField, PickerInput, bootstrapify, pickable_key
from .masking import mask_value
from .models import ExportRecord, Job
from .roles import STAFF_EDIT_ROLES, STAFF_VIEW_ROLES
from .scoping import user_is_unrestricted

EXPORT_MAX_ROWS = 1_000_000


# --- error pages --------------------------------------------------------------------------------

def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)


# --- access ------------------------------------------------------------------------------------

def role_allows(user, roles) -> bool:
    return user_is_unrestricted(user) or user.role in roles


class ScopedObjectMixin(LoginRequiredMixin):
    model = None
    queryset = None
    view_roles = STAFF_VIEW_ROLES
    edit_roles = STAFF_EDIT_ROLES
    needs_edit = False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            roles = self.edit_roles if self.needs_edit else self.view_roles
            if not role_allows(request.user, roles):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        if self.queryset is not None:
            return self.queryset.all()
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model or queryset")
        return self.model._default_manager.all()

    def get_queryset(self):
        return self.get_base_queryset().visible_to(self.request.user)

    @property
    def can_edit(self):
        return role_allows(self.request.user, self.edit_roles)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        model = self.model or self.get_base_queryset().model
        context.update({"model_meta": model._meta, "can_edit": self.can_edit})
        return context


# --- columns -----------------------------------------------------------------------------------

def resolve(obj, accessor: str):
    value = obj
    for part in accessor.split("."):
        if value is None:
            return None
        display = getattr(value, f"get_{part}_display", None)
        value = display() if callable(display) else getattr(value, part, None)
        if callable(value) and not hasattr(value, "all"):
            value = value()
    return value


def plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):  # a moment: local time to the minute, as people read it
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) \
            else value.strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


NOWRAP_FIELD_NAMES = {"uscc", "id_number", "phone", "period", "version", "username"}


@dataclass
class Column:
    """A list column: `accessor` is a dotted attribute path (choices show their label)."""

    accessor: str
    label: str
    sort: str | None = ""  # ORM ordering key; "" → derived from accessor; None → not sortable
    link: bool = False  # link to the object's detail page
    render: Callable | None = None  # render(obj, user) -> str, for computed or masked cells
    sensitive: bool = False  # masked for users without the sensitive-data permission
    # "text-nowrap" etc. on the column's cells; None → derived from the model field (css_class_for)
    css: str | None = None

    def css_class_for(self, model) -> str:
        """Dates, times, codes, numbers and short choice labels never wrap (“2013-12-/18”); a name or title
        column (the linked first column) keeps a minimum width so it does not break one character a line."""
        if self.css is not None:
            return self.css
        if self.link:
            return "col-name"
        field = None
        try:
            meta = model._meta
            for part in self.accessor.split("."):
                field = meta.get_field(part)
                if field.is_relation and field.related_model is not None:
                    meta = field.related_model._meta
        except Exception:  # noqa: BLE001 - a computed accessor, not a field
            field = None
        if field is None:
            return "text-nowrap" if self.accessor.endswith(("_on", "_at", "code", "period", "duration")) else "col-text"
        if isinstance(field, (models.DateField, models.TimeField, models.IntegerField, models.DecimalField,
                              models.FloatField, models.BooleanField)):
            return "text-nowrap"
        if getattr(field, "choices", None) or field.name in NOWRAP_FIELD_NAMES or field.name.endswith("code"):
            return "text-nowrap"
        return "col-text"

    @property
    def sort_key(self):
        if self.sort is None:
            return None
        return self.sort or self.accessor.replace(".", "__")

    def value(self, obj, user):
        if self.render is not None:
            return self.render(obj, user)
        value = plain(resolve(obj, self.accessor))
        if self.sensitive and not user.sees_sensitive:
            return mask_value(value)
        return value


# --- list --------------------------------------------------------------------------------------


def active_filters(filterset) -> int:
    """How many of the list's filters narrow it (a value other than "any": an empty field, "全部" of a yes/no
    choice); an invalid one counts too (the panel stays open to show its error)."""
    if filterset is None or not filterset.is_bound:
        return 0
    form = filterset.form
    if not form.is_valid():
        return len(form.errors)

    def empty(value):
        return value is None or value == "" or (isinstance(value, (list, tuple, set, models.QuerySet)) and not value)

    return sum(1 for value in form.cleaned_data.values() if not empty(value))


class ObjectListView(ScopedObjectMixin, View):
    """Filtered (django-filter), sorted (`?sort=col` / `?sort=-col`), paginated list with CSV/XLSX export."""

    filterset_class = None
    columns: list[Column] = []
    export_columns: list[Column] | None = None
    template_name = "core/object_list.html"
    paginate_by = 50
    default_sort = None
    title = None
    create_url_name = None  # url name of the create page, shown to editors
    extra_actions = ()  # [(label, url_name)] buttons above the list
    export_name = None

    def get_filterset(self, queryset):
        if self.filterset_class is None:
            return None
        filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        pick_instead_of_listing(filterset.form)
        bootstrapify(filterset.form)
        restrict_form_fields(filterset.form, self.request.user)
        return filterset

    def get_columns(self):
        return self.columns

    def sorted(self, queryset):
        sort = self.request.GET.get("sort") or self.default_sort
        allowed = {c.sort_key for c in self.get_columns() if c.sort_key}
        if sort and sort.lstrip("-") in allowed:
            return queryset.order_by(sort, "pk"), sort
        return queryset, ""

    def filtered_queryset(self):
        queryset = self.get_queryset()
        filterset = self.get_filterset(queryset)
        if filterset is not None:
            if filterset.is_bound and not filterset.is_valid():
                return queryset.none(), filterset
            queryset = filterset.qs
        return queryset, filterset

    def get(self, request, *args, **kwargs):
        queryset, filterset = self.filtered_queryset()
        queryset, sort = self.sorted(queryset)
        export = request.GET.get("export")
        if export in {"csv", "xlsx"}:
            return self.export(queryset, export)
        page_size = self.paginate_by
        try:
            page_size = max(1, min(int(request.GET.get("page_size", page_size)), 500))
        except ValueError:
            pass
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(request.GET.get("page"))
        columns = self.get_columns()
        model = self.get_base_queryset().model
        classes = [c.css_class_for(model) for c in columns]
        rows = [{"object": obj, "cells": [c.value(obj, request.user) for c in columns]} for obj in page.object_list]
        for row in rows:
            row["tds"] = list(zip(row["cells"], classes))
        query = request.GET.copy()
        for key in ("page", "sort", "export"):
            query.pop(key, None)
        context = {
            "title": self.title or self.get_base_queryset().model._meta.verbose_name_plural,
            "columns": columns,
            "column_classes": classes,
            "rows": rows,
            "page": page,
            "paginator": paginator,
            "filterset": filterset,
            # how many filters the list is narrowed by (a phone shows the filter panel folded, with this count)
            "filters_active": active_filters(filterset),
            "sort": sort,
            "query": query.urlencode(),
            "can_edit": self.can_edit,
            "create_url": reverse(self.create_url_name) if self.create_url_name and self.can_edit else None,
            "extra_actions": [(label, reverse(name)) for label, name in self.extra_actions],
            "model_meta": self.get_base_queryset().model._meta,
        }
        context.update(self.get_extra_context())
        template = self.template_name
        if request.htmx and not request.htmx.boosted:
            template = "core/object_list_table.html"
        return render(request, template, context)

    def get_extra_context(self):
        return {}

    def get_paginator(self, queryset, page_size):
        """A list that knows its length some cheaper way may say so (reports' drill-down: a fresh snapshot)."""
        return Paginator(queryset, page_size)

    # export

    def export_table(self, queryset):
        """(header, rows) of an export: the one place the cells are made, for the request and the job."""
        columns = self.export_columns or self.get_columns()
        user = self.request.user
        header = [str(c.label) for c in columns]
        rows = (
            [c.value(obj, user) for c in columns]
            for obj in queryset[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)
        )
        return header, rows

    def export_filename(self, queryset, fmt):
        name = self.export_name or queryset.model._meta.model_name
        return f"{name}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{fmt}"

    def export(self, queryset, fmt):
        user = self.request.user
        model = queryset.model
        count = min(queryset.count(), EXPORT_MAX_ROWS)
        ExportRecord.objects.create(
            user=user, what=f"{model._meta.app_label}.{model._meta.model_name}", format=fmt,
            filters=self.request.GET.urlencode(), rows=count,
        )
        if count > settings.EXPORT_SYNC_MAX_ROWS.get(fmt, EXPORT_MAX_ROWS):
            return self.export_as_job(fmt, count)
        header, rows = self.export_table(queryset)
        filename = self.export_filename(queryset, fmt)
        if fmt == "csv":
            response = StreamingHttpResponse(csv_stream(header, rows), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                xlsx_bytes(header, rows, title=str(model._meta.verbose_name_plural)),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def export_as_job(self, fmt, count):
        """A large export is a job (`core.export`): the file is written by a worker and offered on the job's
        page to the user who asked for it; a request never runs past gunicorn's timeout building it."""
        from .jobs import JobQueueUnavailable, enqueue  # noqa: PLC0415

        view = type(self)
        region = getattr(self.request.user, "scope_region", None)
        params = {"view": f"{view.__module__}.{view.__qualname__}", "kwargs": dict(self.kwargs),
                  "query": self.request.GET.urlencode(), "format": fmt, "rows": count,
                  "language": get_language()}
        try:
            job = enqueue("core.export", params, user=self.request.user, region_code=region.code if region else "")
        except JobQueueUnavailable:
            messages.error(self.request, _("The job queue is not reachable, so the export was not started. "
                                           "Please try again later."))
            query = self.request.GET.copy()
            query.pop("export", None)
            return redirect(f"{self.request.path}?{query.urlencode()}")
        if job.status == Job.Status.DONE:
            messages.success(self.request, _("The export of %(n)d rows is ready.") % {"n": count})
        else:
            messages.info(self.request, _("The export of %(n)d rows is being prepared; this page shows when it "
                                          "is ready to download.") % {"n": count})
        return redirect(job.get_absolute_url())


def export_storage():
    from .storage import PrivateStorage  # noqa: PLC0415

    return PrivateStorage("exports", "EXPORTS_PRIVATE_ROOT")


EXPORT_KEEP = datetime.timedelta(days=7)


def prune_exports(storage):
    """Export files are kept a week (their job record stays); older ones are removed."""
    import shutil  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    root = Path(storage.location)
    if not root.exists():
        return
    cutoff = (timezone.now() - EXPORT_KEEP).timestamp()
    for entry in root.iterdir():
        try:
            if entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        except OSError:
            pass


def export_job(job) -> dict:
    """The `core.export` job: the list view rebuilt for the requester (same filters, sort, scope, masking),
    its rows written to a file in private storage, progress reported every 2,000 rows."""
    import tempfile  # noqa: PLC0415

    from django.core.files import File  # noqa: PLC0415
    from django.core.files.base import ContentFile  # noqa: PLC0415
    from django.http import HttpRequest, QueryDict  # noqa: PLC0415
    from django.utils.module_loading import import_string  # noqa: PLC0415

    from .jobs import set_progress  # noqa: PLC0415

    params, user = job.params, job.created_by
    view_class = import_string(params["view"])
    if user is None or not user.is_active or not role_allows(user, view_class.view_roles):
        raise PermissionDenied(_("The user who asked for this export may no longer see this list."))
    request = HttpRequest()
    request.method, request.user, request.GET = "GET", user, QueryDict(params.get("query", ""))
    request.htmx = False
    view = view_class()
    view.setup(request, **params.get("kwargs", {}))
    queryset, _filterset = view.filtered_queryset()
    queryset, _sort = view.sorted(queryset)
    fmt = params["format"]
    total = max(min(queryset.count(), EXPORT_MAX_ROWS), 1)
    header, rows = view.export_table(queryset)

    def counted(rows):
        for index, row in enumerate(rows):
            if index % 2000 == 0:
                set_progress(job, 95 * index // total)
            yield row

    filename = view.export_filename(queryset, fmt)
    storage = export_storage()
    prune_exports(storage)
    if fmt == "csv":
        with tempfile.TemporaryFile() as buffer:
            for chunk in csv_stream(header, counted(rows)):
                buffer.write(chunk.encode("utf-8"))
            buffer.seek(0)
            stored = storage.save(f"{job.pk}/{filename}", File(buffer))
    else:
        content = xlsx_bytes(header, counted(rows), title=str(queryset.model._meta.verbose_name_plural))
        stored = storage.save(f"{job.pk}/{filename}", ContentFile(content))
    return {"file": stored, "filename": filename, "format": fmt, "rows": total}


class _Echo:
    def write(self, value):
        return value


def csv_stream(header, rows):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM so spreadsheet programs read UTF-8 Chinese correctly
    yield writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])  # no live formulas (core.cells)


def xlsx_bytes(header, rows, title=""):
    from openpyxl import Workbook  # noqa: PLC0415

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or "export")[:31])
    sheet.append([xlsx_cell(sheet, value) for value in header])
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])  # text stays text (core.cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- detail, edit, history ---------------------------------------------------------------------

class ObjectDetailView(ScopedObjectMixin, DetailView):
    """Shows `detail_fields` (accessors) unless the model has its own `<app>/<model>_detail.html`."""

    detail_fields: list[str] = []

    def get_template_names(self):
        meta = self.get_base_queryset().model._meta
        names = [self.template_name] if self.template_name else []
        return names + [f"{meta.app_label}/{meta.model_name}_detail.html", "core/object_detail.html"]

    def _linkable(self, target):
        """A related organization, member, enterprise … is a link to its page when the user may see it
        (one indexed query per related field of the page, through visible_to)."""
        from django.db.models import Model  # noqa: PLC0415

        if not isinstance(target, Model) or not hasattr(target, "get_absolute_url"):
            return False
        queryset = type(target)._default_manager.all()
        if not hasattr(queryset, "visible_to"):
            return False
        return queryset.visible_to(self.request.user).filter(pk=target.pk).exists()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        model = type(obj)
        sensitive = set(getattr(model, "sensitive_fields", ()))
        fields = []
        for entry in self.detail_fields:
            label, accessor = entry if isinstance(entry, tuple) else (None, entry)
            head = accessor.split(".")[0]
            if label is None:
                try:
                    label = model._meta.get_field(head).verbose_name
                except FieldDoesNotExist:
                    label = head
            target = resolve(obj, accessor)
            value = plain(target)
            if head in sensitive and not self.request.user.sees_sensitive:
                value = mask_value(value)
            elif self._linkable(target):
                value = format_html('<a href="{}" data-testid="related-link">{}</a>', target.get_absolute_url(), value)
            fields.append((label, value))
        context["fields"] = fields
        context["title"] = str(obj)
        return context


def pick_instead_of_listing(form):
    """A dropdown of objects a picker can answer by their natural key (region and organization codes, USCCs)
    becomes that picker (`PickerInput`, scoped search): a province's register holds a million enterprises and
    150,000 organizations, and a dropdown of them is a page of 90 MB. The submitted value is the same key, so
    the field, its validation and the query string are unchanged. (Objects picked by id: `_pick_when_many`.)"""
    for field in form.fields.values():
        key = _picker_key(field)
        if key and not key.endswith(".pk") and not isinstance(field, ModelMultipleChoiceField):
            _use_picker(field, key)
    return form


def restrict_form_fields(form, user):
    """Dropdowns and pickers offer only objects the user may see (NetBox's restrict_form_fields); a required
    one on an empty form is pre-filled when the user has exactly one choice (a secretary's own organization,
    an instructor's own record)."""
    for name, field in form.fields.items():
        if isinstance(field, (ModelChoiceField, ModelMultipleChoiceField, NaturalKeyField)):
            queryset = field.queryset
            if hasattr(queryset, "visible_to"):
                field.queryset = queryset.visible_to(user)
                _prefill_single_choice(form, name, field)
                _pick_when_many(field)


# A dropdown (or list of checkboxes) of more objects than this, in the user's scope, becomes a picker.
MAX_LISTED_CHOICES = 200


def _pick_when_many(field):
    """A dropdown or checkbox list of objects that are picked by id (instructors: 160,000 in a province, a form of
    9–36 MB) becomes the picker of their id when the user's scope holds more than MAX_LISTED_CHOICES of them: a
    county's few dozen stay a dropdown, as before; an instructor filing their own visit keeps their name."""
    key = _picker_key(field)
    if key and field.queryset.order_by()[:MAX_LISTED_CHOICES + 1].count() > MAX_LISTED_CHOICES:
        _use_picker(field, key)


def _picker_key(field):
    """The key (core.forms.PICKABLE) of the picker that can stand in for this dropdown or checkbox list, or None."""
    if not isinstance(field, ModelChoiceField) or isinstance(field.widget, PickerInput):
        return None
    model = field.queryset.model
    to_field = field.to_field_name if field.to_field_name not in (None, model._meta.pk.name) else "pk"
    key = pickable_key(model, to_field)
    return key if key in PICKABLE else None


def _use_picker(field, key):
    """Put the picker of `key` in place of the field's dropdown (several keys for a multiple choice)."""
    widget = MultiPickerInput if isinstance(field, ModelMultipleChoiceField) else PickerInput
    css = field.widget.attrs.get("class", "")
    css = "form-control form-control-sm" if "form-check" in css or "form-select" in css or not css else css
    field.widget = widget(attrs={**field.widget.attrs, "class": css}, pick_key=key)
    if widget is MultiPickerInput and not field.help_text:
        field.help_text = gettext_lazy("Type a name, then pick; several are separated by commas.")


def _prefill_single_choice(form, name, field):
    if (form.is_bound or not field.required or isinstance(field, ModelMultipleChoiceField)
            or form.initial.get(name) not in (None, "") or field.initial not in (None, "")):
        return
    only = list(field.queryset[:2])
    if len(only) == 1:
        key = getattr(field, "to_field_name", None) or "pk"
        form.initial[name] = getattr(only[0], key)


ROW_VERSION_FIELD = "_row_version"


def row_version(instance) -> str:
    """A fingerprint of the stored values of `instance` (every concrete field): the edit form carries the one
    it was opened with, and a save over a different one is refused (409) instead of silently undoing the
    other change. Needs no version column, so every model's edit page has it."""
    digest = hashlib.sha256()
    for field in instance._meta.concrete_fields:
        digest.update(f"{field.attname}={getattr(instance, field.attname)!r}\x1f".encode())
    return digest.hexdigest()[:32]


def with_row_version(form, instance, version):
    if instance is not None and instance.pk is not None:
        form.fields[ROW_VERSION_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False, initial=version)
    return form


class ObjectEditView(ScopedObjectMixin, View):
    """Create (no pk) or update (pk) through a ModelForm; atomic; scope re-checked after saving.

    Subclasses may override `save(form)` to call a service instead of `form.save()`.
    """

    form_class = None
    template_name = "core/object_edit.html"
    needs_edit = True

    def get_object(self):
        pk = self.kwargs.get("pk")
        if pk is None:
            return None
        try:
            return self.get_queryset().get(pk=pk)
        except (self.get_base_queryset().model.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def get_form(self, instance, data=None, files=None):
        form = self.form_class(data=data, files=files, instance=instance, **self.get_form_kwargs())
        restrict_form_fields(form, self.request.user)
        return bootstrapify(form)

    def get_form_kwargs(self):
        return {}

    def render_form(self, form, instance, status=200):
        model = self.get_base_queryset().model
        return render(self.request, self.template_name, {
            "form": form, "object": instance, "model_meta": model._meta,
            "title": (_("Edit %(name)s") % {"name": instance}) if instance
            else (_("New %(model)s") % {"model": model._meta.verbose_name}),
        }, status=status)

    def get(self, request, *args, **kwargs):
        instance = self.get_object()
        version = row_version(instance) if instance is not None else ""  # of the row as read, before any form
        return self.render_form(with_row_version(self.get_form(instance), instance, version), instance)

    def save(self, form):
        return form.save()

    def post(self, request, *args, **kwargs):
        """Read-modify-write of an existing object under its row lock (`lock_row`), with a version check:
        a form opened before someone else saved the object answers 409 instead of undoing their change."""
        if self.kwargs.get("pk") is None:
            return self.submit(self.get_object())
        with transaction.atomic():
            lock_row(self.get_base_queryset().model, self.kwargs["pk"])
            return self.submit(self.get_object())

    def submit(self, instance):
        request = self.request
        data = request.POST
        current = row_version(instance) if instance is not None else ""
        stale = instance is not None and data.get(ROW_VERSION_FIELD) not in (None, current)
        if stale:
            data = data.copy()
            data[ROW_VERSION_FIELD] = current  # saving again (after checking) overwrites knowingly
        form = with_row_version(self.get_form(instance, data, request.FILES), instance, current)
        if stale:
            form.is_valid()
            form.add_error(None, _("Someone else saved this record after you opened this form, so nothing of "
                                   "yours was saved (it would have undone their change). Open the record to see "
                                   "the stored values, or check your entries below and save again to overwrite."))
            return self.render_form(form, instance, status=409)
        if form.is_valid():
            try:
                with transaction.atomic():
                    obj = self.save(form)
                    model = type(obj)
                    if not model._default_manager.visible_to(request.user).filter(pk=obj.pk).exists():
                        raise DjangoValidationError(_("This would put the object outside your scope."))
            except DjangoValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error.messages)
            else:
                messages.success(request, _("Saved."))
                return redirect(self.get_success_url(obj))
        return self.render_form(form, instance)

    def get_success_url(self, obj):
        return obj.get_absolute_url()


class ObjectActionView(ScopedObjectMixin, View):
    """A POST-only action on one object from its page (close, end a link, record an election ...).

    The form is validated, `perform(obj, form)` calls the domain service (in its transaction) and returns
    the success message; validation errors from the form or the service become error messages. Always
    redirects back (to `next` when given, else the object's page).
    """

    form_class = None
    needs_edit = True

    def get_form(self, obj):
        form = self.form_class(self.request.POST)
        restrict_form_fields(form, self.request.user)
        return form

    def perform(self, obj, form):
        raise NotImplementedError

    def post(self, request, pk):
        try:
            obj = self.get_queryset().get(pk=pk)
        except (self.get_base_queryset().model.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
        form = self.get_form(obj)
        if form.is_valid():
            try:
                message = self.perform(obj, form)
            except DjangoValidationError as error:
                for text in error.messages:
                    messages.error(request, text)
            else:
                messages.success(request, message)
        else:
            for errors in form.errors.values():
                for text in errors:
                    messages.error(request, text)
        return redirect(self.get_redirect_url(obj))

    def get_redirect_url(self, obj):
        target = self.request.POST.get("next", "")
        return target if target.startswith("/") and not target.startswith("//") else obj.get_absolute_url()


# Reasons the workflow services write into the history (activities.services), as people read them; any
# other reason (free text) is shown as written.
CHANGE_REASONS = {
    "saved": gettext_lazy("Saved"),
    "submitted": gettext_lazy("Submitted for review"),
    "accepted": pgettext_lazy("activity record status", "Accepted"),
    "returned": gettext_lazy("Returned for correction"),
}


def display_name(user):
    """A person as pages name them: full name, else username ("" for nobody)."""
    if user is None:
        return ""
    return user.display_name


def history_value(field, value):
    """A historical value as the page shows it: choice labels, not codes; related objects by name."""
    if value is None or value == "":
        return ""
    if field is not None and getattr(field, "flatchoices", None):
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.is_relation and field.related_model is not None and not hasattr(value, "pk"):
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    return plain(value)


class ObjectHistoryView(ScopedObjectMixin, DetailView):
    """Who changed what and when (django-simple-history), sensitive values masked."""

    template_name = "core/object_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        sensitive = set(getattr(type(obj), "sensitive_fields", ()))
        show = self.request.user.sees_sensitive
        records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:200])
        # Every tracked field, the non-editable ones too (a status moved by a workflow service is the change
        # people look for), except bookkeeping that changes on every save.
        tracked = [f for f in records[0].tracked_fields if not getattr(f, "auto_now", False)
                   and not getattr(f, "auto_now_add", False) and not f.primary_key] if records else []
        meta = type(obj)._meta
        entries = []
        for index, record in enumerate(records):
            previous = records[index + 1] if index + 1 < len(records) else None
            changes = []
            if previous is not None:
                # (simple-history's diff_against skips non-editable fields, so compare the columns here)
                for tracked_field in tracked:
                    before = getattr(previous, tracked_field.attname, None)
                    after = getattr(record, tracked_field.attname, None)
                    if before == after:
                        continue
                    try:
                        field = meta.get_field(tracked_field.name)
                    except FieldDoesNotExist:
                        field = None
                    old, new = history_value(field, before), history_value(field, after)
                    if tracked_field.name in sensitive and not show:
                        old, new = mask_value(old), mask_value(new)
                    changes.append({"field": field.verbose_name if field is not None else tracked_field.name,
                                    "old": old, "new": new})
            entries.append({"record": record, "changes": changes, "who": display_name(record.history_user),
                            "reason": CHANGE_REASONS.get(record.history_change_reason or "",
                                                         record.history_change_reason)})
        context.update({"entries": entries, "title": _("History of %(name)s") % {"name": obj}})
        return context


# --- home, jobs ---------------------------------------------------------------------------------

class HomeView(LoginRequiredMixin, View):
    """Send each role to the page its work starts on."""

    targets = {
        "branch_secretary": ["activities:home", "organizations:organization_list"],
        "instructor": ["instructors:home", "organizations:enterprise_list"],
        "stats_client": ["reports:stats_home"],
    }

    def get(self, request):
        for name in self.targets.get(request.user.role, ["reports:dashboard", "organizations:region_list"]):
            try:
                return redirect(reverse(name))
            except Exception:  # noqa: BLE001 - the app may not provide that page yet
                continue
        return render(request, "core/home.html", {"title": _("Home")})


class JobListView(ObjectListView):
    model = Job
    queryset = Job.objects.select_related("created_by")
    view_roles = frozenset(STAFF_VIEW_ROLES)
    title = gettext_lazy("Jobs")
    columns = [
        Column("id", "#", link=True),
        Column("kind", gettext_lazy("Kind")),
        Column("region_code", gettext_lazy("Region")),
        Column("status", gettext_lazy("Status")),
        Column("created_by", gettext_lazy("Requested by"), sort="created_by__username",
               render=lambda job, user: display_name(job.created_by)),
        Column("created_at", gettext_lazy("Requested at")),
        Column("duration", gettext_lazy("Duration"), sort=None),
        Column("error", gettext_lazy("Error"), sort=None),
    ]


class JobDetailView(ObjectDetailView):
    """A job's record; while it runs, a progress bar the page polls (htmx); when an export is done, its file
    to download (for the user who asked for it only)."""

    model = Job
    view_roles = frozenset(STAFF_VIEW_ROLES)
    detail_fields = ["kind", "status", "region_code", "params", "created_by", "created_at", "started_at",
                     "finished_at", "attempts", "result", "error"]

    def get_context_data(self, **kwargs):
        from .jobs import progress_of  # noqa: PLC0415

        context = super().get_context_data(**kwargs)
        job = self.object
        context["job"] = job
        context["percent"] = progress_of(job)
        context["running"] = job.status in (Job.Status.QUEUED, Job.Status.RUNNING)
        context["download"] = (job.status == Job.Status.DONE and isinstance(job.result, dict)
                               and job.result.get("file") and job.created_by_id == self.request.user.pk)
        if job.kind in ("core.import", "core.import_preview") and job.created_by_id == self.request.user.pk:
            context["import_result_url"] = reverse("imports:job", args=[job.pk])
        return context


class JobProgressView(ScopedObjectMixin, View):
    """The progress bar fragment a running job's page polls; once the job has ended, the page reloads
    (HX-Refresh) and shows the outcome."""

    model = Job
    view_roles = JobDetailView.view_roles

    def get(self, request, pk):
        from .jobs import progress_of  # noqa: PLC0415

        job = self.get_queryset().filter(pk=pk).first()
        if job is None:
            raise Http404
        response = render(request, "core/_job_progress.html", {"job": job, "percent": progress_of(job)})
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            response["HX-Refresh"] = "true"
        return response


class JobFileView(LoginRequiredMixin, View):
    """The file a job produced (a large export), for the user who requested it only: anyone else, 404."""

    def get(self, request, pk):
        job = Job.objects.filter(pk=pk, created_by=request.user, status=Job.Status.DONE).first()
        name = job.result.get("file") if job is not None and isinstance(job.result, dict) else None
        if not name:
            raise Http404
        try:
            handle = export_storage().open(name, "rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        response = FileResponse(handle, as_attachment=True, filename=job.result.get("filename") or "export")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every user changes their own password (the validators of settings apply); back home with a message."""

    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PickerSearchView(LoginRequiredMixin, View):
    """`/pick/<model.key>/?q=…`: up to 20 objects in the user's scope whose natural key starts with, or whose
    name contains, the text — for `core.forms.PickerInput`. Only the pairs a NaturalKeyField offers are
    answered, always through `visible_to(user)`; one query."""

    limit = 20

    def get(self, request, key):
        from django.db.models import Q  # noqa: PLC0415
        from django.http import Http404, JsonResponse  # noqa: PLC0415

        from .forms import PICKABLE  # noqa: PLC0415

        if key not in PICKABLE:
            raise Http404
        model, field = PICKABLE[key]
        queryset = model._default_manager.all()
        if not hasattr(queryset, "visible_to"):
            raise Http404
        queryset = queryset.visible_to(request.user)
        text = (request.GET.get("q") or "").strip()[:50]
        if text:
            condition = Q(**{f"{field}__istartswith": text})
            if any(f.name == "name" for f in model._meta.get_fields()):
                condition |= Q(name__icontains=text)
            queryset = queryset.filter(condition)
        results = []
        for obj in queryset.order_by(field)[: self.limit]:
            key, label = str(getattr(obj, field)), str(obj)
            results.append({"key": key, "label": label if key in label else f"{label} ({key})"})
        return JsonResponse({"results": results})

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
import io
from dataclasses import dataclass
from typing import Callable

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from .forms import NaturalKeyField, bootstrapify
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


@dataclass
class Column:
    """A list column: `accessor` is a dotted attribute path (choices show their label)."""

    accessor: str
    label: str
    sort: str | None = ""  # ORM ordering key; "" → derived from accessor; None → not sortable
    link: bool = False  # link to the object's detail page
    render: Callable | None = None  # render(obj, user) -> str, for computed or masked cells
    sensitive: bool = False  # masked for users without the sensitive-data permission

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
        paginator = Paginator(queryset, page_size)
        page = paginator.get_page(request.GET.get("page"))
        columns = self.get_columns()
        rows = [{"object": obj, "cells": [c.value(obj, request.user) for c in columns]} for obj in page.object_list]
        query = request.GET.copy()
        for key in ("page", "sort", "export"):
            query.pop(key, None)
        context = {
            "title": self.title or self.get_base_queryset().model._meta.verbose_name_plural,
            "columns": columns,
            "rows": rows,
            "page": page,
            "paginator": paginator,
            "filterset": filterset,
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

    # export

    def export(self, queryset, fmt):
        columns = self.export_columns or self.get_columns()
        user = self.request.user
        model = queryset.model
        name = self.export_name or model._meta.model_name
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        header = [str(c.label) for c in columns]
        rows = (
            [c.value(obj, user) for c in columns]
            for obj in queryset[:EXPORT_MAX_ROWS].iterator(chunk_size=2000)
        )
        ExportRecord.objects.create(
            user=user, what=f"{model._meta.app_label}.{model._meta.model_name}", format=fmt,
            filters=self.request.GET.urlencode(), rows=queryset.count(),
        )
        filename = f"{name}-{stamp}.{fmt}"
        if fmt == "csv":
            response = StreamingHttpResponse(csv_stream(header, rows), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                xlsx_bytes(header, rows, title=str(model._meta.verbose_name_plural)),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class _Echo:
    def write(self, value):
        return value


def csv_stream(header, rows):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM so spreadsheet programs read UTF-8 Chinese correctly
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def xlsx_bytes(header, rows, title=""):
    from openpyxl import Workbook  # noqa: PLC0415

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(title or "export")[:31])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
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


def _prefill_single_choice(form, name, field):
    if (form.is_bound or not field.required or isinstance(field, ModelMultipleChoiceField)
            or form.initial.get(name) not in (None, "") or field.initial not in (None, "")):
        return
    only = list(field.queryset[:2])
    if len(only) == 1:
        key = getattr(field, "to_field_name", None) or "pk"
        form.initial[name] = getattr(only[0], key)


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

    def render_form(self, form, instance):
        model = self.get_base_queryset().model
        return render(self.request, self.template_name, {
            "form": form, "object": instance, "model_meta": model._meta,
            "title": (_("Edit %(name)s") % {"name": instance}) if instance
            else (_("New %(model)s") % {"model": model._meta.verbose_name}),
        })

    def get(self, request, *args, **kwargs):
        instance = self.get_object()
        return self.render_form(self.get_form(instance), instance)

    def save(self, form):
        return form.save()

    def post(self, request, *args, **kwargs):
        instance = self.get_object()
        form = self.get_form(instance, request.POST, request.FILES)
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


class ObjectHistoryView(ScopedObjectMixin, DetailView):
    """Who changed what and when (django-simple-history), sensitive values masked."""

    template_name = "core/object_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        sensitive = set(getattr(type(obj), "sensitive_fields", ()))
        show = self.request.user.sees_sensitive
        records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:200])
        entries = []
        for index, record in enumerate(records):
            previous = records[index + 1] if index + 1 < len(records) else None
            changes = []
            if previous is not None:
                delta = record.diff_against(previous)
                for change in delta.changes:
                    old, new = plain(change.old), plain(change.new)
                    if change.field in sensitive and not show:
                        old, new = mask_value(old), mask_value(new)
                    try:
                        label = type(obj)._meta.get_field(change.field).verbose_name
                    except FieldDoesNotExist:
                        label = change.field
                    changes.append({"field": label, "old": old, "new": new})
            entries.append({"record": record, "changes": changes})
        context.update({"entries": entries, "title": _("History of %(name)s") % {"name": obj}})
        return context


# --- home, jobs ---------------------------------------------------------------------------------

class HomeView(LoginRequiredMixin, View):
    """Send each role to the page its work starts on."""

    targets = {
        "branch_secretary": ["activities:home", "organizations:organization_list"],
        "instructor": ["instructors:home", "organizations:enterprise_list"],
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
    view_roles = frozenset(STAFF_VIEW_ROLES)
    title = gettext_lazy("Jobs")
    columns = [
        Column("id", "#", link=True),
        Column("kind", gettext_lazy("Kind")),
        Column("region_code", gettext_lazy("Region")),
        Column("status", gettext_lazy("Status")),
        Column("created_by", gettext_lazy("Requested by"), sort="created_by__username"),
        Column("created_at", gettext_lazy("Requested at"),
               render=lambda job, user: date_format(timezone.localtime(job.created_at), "SHORT_DATETIME_FORMAT")),
        Column("duration", gettext_lazy("Duration"), sort=None),
        Column("error", gettext_lazy("Error"), sort=None),
    ]


class JobDetailView(ObjectDetailView):
    model = Job
    detail_fields = ["kind", "status", "region_code", "params", "created_by", "created_at", "started_at",
                     "finished_at", "attempts", "result", "error"]


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

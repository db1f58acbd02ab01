"""Import pages: choose a kind and a file → preview (counts, every row error) → confirm → result.

The uploaded file waits for confirmation in MEDIA_ROOT/imports/<token>.<ext> with a <token>.json naming the
user, the kind and the file name; the token is random and bound to that user (another user's token is a
404), nothing is kept in the session. Confirming validates the stored file again (the data may have changed
since the preview) and writes it atomically. Pending files older than a day are removed on the next upload.
"""

import json
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from .forms import bootstrapify
from .imports import get_kind, kinds, run_import, template_csv, template_xlsx
from .views import role_allows

MAX_UPLOAD = 20 * 1024 * 1024
PREVIEW_ROWS = 20
PENDING_MAX_AGE = 24 * 3600


def pending_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def remove_stale_pending():
    cutoff = time.time() - PENDING_MAX_AGE
    for stale in pending_dir().iterdir():
        try:
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
        except OSError:
            pass


def kinds_for(user):
    """(key, kind class) the user's role may import, in registration order (apps in INSTALLED_APPS order,
    so a kind comes after the kinds it refers to: regions, enterprises, organizations, coverage links, …)."""
    return [(key, kind) for key, kind in kinds().items() if role_allows(user, kind.roles)]


def column_rows(kind):
    """What the per-kind page shows about each column."""
    rows = []
    for column in kind.columns:
        if column.kind == "choice":
            accepted = ", ".join(f"{value} ({label})" for value, label in column.choices.choices)
        elif column.kind == "date":
            accepted = "YYYY-MM-DD"
        else:
            accepted = column.help
        rows.append({"key": column.key, "label": column.label, "required": column.required, "accepted": accepted})
    return rows


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"))
    file = forms.FileField(label=gettext_lazy("File (.csv or .xlsx)"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(key, kind.label) for key, kind in kinds_for(user)]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


class ImportAccessMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not role_allows(request.user, {"admin", "region_editor"}):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def cell_text(value):
    """A typed value as the user wrote it: ISO dates, `;`-joined lists, nothing for empty cells."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def preview_context(result):
    planned = [p for p in result.plan if p.action != "unchanged"][:PREVIEW_ROWS]
    return {
        "result": result,
        "summary": result.summary,
        "preview_columns": [c.label for c in result.columns],
        "preview_rows": [{"row": p.row, "action": p.action, "cells": [cell_text(shown_value(c, p.values.get(c.key)))
                                                                      for c in result.columns]}
                         for p in planned],
    }


def shown_value(column, value):
    """A choice as the file said it (私有经济控制, 在营), not the stored code (private_controlled, operating)."""
    choices = getattr(column, "choices", None)
    if column.kind == "choice" and value not in (None, "") and isinstance(getattr(choices, "choices", None), list):
        return dict(choices.choices).get(value, value)
    return value


class ImportUploadView(ImportAccessMixin, View):
    """`/imports/` lists every kind with its templates and takes a file; `/imports/<kind>/` does the same for
    one kind and also documents its columns."""

    def get_kind_or_404(self, kind_key):
        if kind_key is None:
            return None
        allowed = dict(kinds_for(self.request.user))
        if kind_key not in allowed:
            raise Http404
        return allowed[kind_key]()

    def page(self, form, kind, status=200):
        context = {"form": form, "kinds": kinds_for(self.request.user), "kind": kind,
                   "title": kind.label if kind else _("Import data")}
        if kind is not None:
            context["columns"] = column_rows(kind)
        return render(self.request, "core/import_upload.html", context, status=status)

    def get(self, request, kind=None):
        import_kind = self.get_kind_or_404(kind)
        initial = {"kind": kind or request.GET.get("kind")}
        return self.page(bootstrapify(UploadForm(initial=initial, user=request.user)), import_kind)

    def post(self, request, kind=None):
        import_kind = self.get_kind_or_404(kind)
        data = request.POST.copy()
        if kind:
            data["kind"] = kind
        form = bootstrapify(UploadForm(data, request.FILES, user=request.user))
        if not form.is_valid():
            return self.page(form, import_kind, status=400)
        upload = form.cleaned_data["file"]
        content = upload.read()
        kind = form.cleaned_data["kind"]
        result = run_import(kind, content, upload.name, request.user, dry_run=True)
        token = ""
        if result.ok:
            remove_stale_pending()
            token = secrets.token_urlsafe(24)
            suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
            (pending_dir() / f"{token}{suffix}").write_bytes(content)
            (pending_dir() / f"{token}.json").write_text(json.dumps({
                "user": request.user.pk, "kind": kind, "filename": upload.name, "suffix": suffix}))
        context = preview_context(result) | {"token": token, "kind": get_kind(kind), "filename": upload.name,
                                             "title": _("Check the import")}
        return render(request, "core/import_preview.html", context, status=200 if result.ok else 400)


class ImportConfirmView(ImportAccessMixin, View):
    def post(self, request):
        token = request.POST.get("token", "")
        if not token.replace("-", "").replace("_", "").isalnum():
            raise Http404
        meta_path = pending_dir() / f"{token}.json"
        if not meta_path.exists():
            raise Http404
        meta = json.loads(meta_path.read_text())
        if meta["user"] != request.user.pk or meta["kind"] not in dict(kinds_for(request.user)):
            raise Http404
        data_path = pending_dir() / f"{token}{meta['suffix']}"
        if not data_path.exists():
            raise Http404
        result = run_import(meta["kind"], data_path.read_bytes(), meta["filename"], request.user)
        if result.written:
            meta_path.unlink(missing_ok=True)
            data_path.unlink(missing_ok=True)
        context = preview_context(result) | {"kind": get_kind(meta["kind"]), "filename": meta["filename"],
                                             "title": _("Import result"), "confirmed": True}
        return render(request, "core/import_preview.html", context, status=200 if result.ok else 400)


class ImportTemplateView(ImportAccessMixin, View):
    def get(self, request, kind, fmt):
        if kind not in dict(kinds_for(request.user)):
            raise Http404
        import_kind = get_kind(kind)
        if fmt == "xlsx":
            response = HttpResponse(template_xlsx(import_kind),
                                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        elif fmt == "csv":
            response = HttpResponse(template_csv(import_kind), content_type="text/csv; charset=utf-8")
        else:
            raise Http404
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.{fmt}"'
        return response

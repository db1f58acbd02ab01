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
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from .forms import bootstrapify
from .imports import get_kind, kinds, run_import, template_csv, template_xlsx
from .jobs import JobQueueUnavailable, enqueue, progress_of, set_progress
from .models import Job
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
        kind = form.cleaned_data["kind"]
        # The file waits under a random token bound to this user; checking it (a dry run of the whole file)
        # is a job like the write, so a 100,000-row file never runs past the request timeout.
        remove_stale_pending()
        token = secrets.token_urlsafe(24)
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        with open(pending_dir() / f"{token}{suffix}", "wb") as stored:
            for chunk in upload.chunks():
                stored.write(chunk)
        (pending_dir() / f"{token}.json").write_text(json.dumps({
            "user": request.user.pk, "kind": kind, "filename": upload.name, "suffix": suffix}))
        region = getattr(request.user, "scope_region", None)
        try:
            job = enqueue("core.import_preview", {"token": token, "kind": kind, "filename": upload.name,
                                                  "language": get_language()},
                          user=request.user, region_code=region.code if region else "")
        except JobQueueUnavailable:
            discard_pending(token, suffix)
            return render(request, "core/import_preview.html", {
                "result": {"ok": False, "kind": kind, "messages": [
                    _("The job queue is not reachable, so the import was not started. Please try again later.")]},
                "summary": {}, "kind": get_kind(kind), "filename": upload.name, "token": "",
                "title": _("Check the import")}, status=503)
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return import_result_page(request, job)
        return redirect("imports:job", job.pk)


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
        # The write runs as a job (a worker, not this request: a 100,000-row file takes minutes); with no
        # broker it has run by the time enqueue returns and the result is shown at once.
        region = getattr(request.user, "scope_region", None)
        try:
            job = enqueue("core.import", {"token": token, "kind": meta["kind"], "filename": meta["filename"],
                                          "language": get_language()},
                          user=request.user, region_code=region.code if region else "")
        except JobQueueUnavailable:
            return render(request, "core/import_preview.html", {
                "result": {"ok": False, "kind": meta["kind"], "messages": [
                    _("The job queue is not reachable, so the import was not started. Please try again later.")]},
                "summary": {}, "kind": get_kind(meta["kind"]), "filename": meta["filename"],
                "title": _("Import result"), "confirmed": True}, status=503)
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return import_result_page(request, job)
        return redirect("imports:job", job.pk)


def discard_pending(token, suffix):
    (pending_dir() / f"{token}.json").unlink(missing_ok=True)
    (pending_dir() / f"{token}{suffix}").unlink(missing_ok=True)


def import_job(job, *, dry_run=False) -> dict:
    """The `core.import_preview` (dry run) and `core.import` (write) jobs on a pending upload, with progress.

    A preview with errors discards the upload (it cannot be confirmed); a written import uses it up."""
    token, kind = job.params["token"], job.params["kind"]
    meta_path = pending_dir() / f"{token}.json"
    if not meta_path.exists() or job.created_by is None:
        raise ValueError(_("The uploaded file is no longer waiting to be imported (it was imported already or "
                           "is older than a day). Upload it again."))
    meta = json.loads(meta_path.read_text())
    data_path = pending_dir() / f"{token}{meta['suffix']}"
    result = run_import(kind, data_path.read_bytes(), meta["filename"], job.created_by, dry_run=dry_run,
                        progress=lambda percent: set_progress(job, percent))
    if result.written or (dry_run and not result.ok):
        discard_pending(token, meta["suffix"])
    messages = result.messages()
    data = {"kind": kind, "filename": meta["filename"], "ok": result.ok, "written": result.written,
            "summary": result.summary, "messages": messages[:1000], "more_messages": max(0, len(messages) - 1000)}
    if dry_run:
        preview = preview_context(result)
        data |= {"token": token if result.ok else "", "preview_columns": [str(c) for c in preview["preview_columns"]],
                 "preview_rows": preview["preview_rows"]}
    return data


def import_result_page(request, job):
    """The page of a finished import job: the preview with its confirm button (a dry run) or the result."""
    data = job.result if job.status == Job.Status.DONE else {}
    messages = data.get("messages") or ([job.error] if job.status == Job.Status.FAILED else [])
    if data.get("more_messages"):
        messages = messages + [_("… and %(n)d more.") % {"n": data["more_messages"]}]
    ok = job.status == Job.Status.DONE and data.get("ok", False)
    kind_key = job.params.get("kind", "")
    context = {"result": {"ok": ok, "kind": kind_key, "messages": messages}, "summary": data.get("summary", {}),
               "kind": get_kind(kind_key), "filename": job.params.get("filename", ""), "job": job}
    if job.kind == "core.import_preview":
        token = data.get("token", "") if ok else ""
        # a preview whose upload has been confirmed (used up) or expired offers no confirm button any more
        if token and not (pending_dir() / f"{token}.json").exists():
            token = ""
        context |= {"token": token, "preview_columns": data.get("preview_columns", []),
                    "preview_rows": data.get("preview_rows", []), "title": _("Check the import")}
    else:
        context |= {"title": _("Import result"), "confirmed": True}
    return render(request, "core/import_preview.html", context, status=200 if ok else 400)


class ImportJobView(ImportAccessMixin, View):
    """`/imports/jobs/<pk>/`: the requester's import job: a progress bar while it runs, then its result."""

    def get(self, request, pk):
        job = Job.objects.filter(pk=pk, kind__in=["core.import", "core.import_preview"],
                                 created_by=request.user).first()
        if job is None:
            raise Http404
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return import_result_page(request, job)
        title = _("Check the import") if job.kind == "core.import_preview" else _("Import running")
        return render(request, "core/job_wait.html", {"job": job, "percent": progress_of(job), "title": title})


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

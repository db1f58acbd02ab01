"""Periods close (DESIGN.md "Periods close", API.md "Approval of report runs"): the one writer of a report
run's approval state.

The latest run of (definition, region, period) carries the state draft → submitted → approved, or
returned (with a reason). Each transition is atomic (the run row is locked), takes the acting user, records
who/when/why on the run (simple-history keeps every change) and one ApprovalStep row (the chain shown on the
run page). Refusals change nothing: PermissionDenied (the caller sees the run but its role or level lacks
the action: 403) or ValidationError (wrong state, not the latest version, no reason: 400).

Submission and approval print the cover block (reports.services.cover_lines) into the run's files from the
table stored when it was built; after approval nothing writes the files again, so an approved file stays
byte-identical whatever changes in the register (`figures_changed` says which counts now differ).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.roles import Role
from core.scoping import user_is_unrestricted

from .models import ApprovalStep, ReportRun
from .services import render_files, stored_table

A = ReportRun.Approval


def _is_region_editor(user) -> bool:
    return getattr(user, "role", None) == Role.REGION_EDITOR and bool(user.scope_region_id)


def _in_subtree(user, run) -> bool:
    return run.region.path.startswith(user.scope_region.path)


def may_submit(user, run) -> bool:
    """Editors of the run's region or of an ancestor region, or an administrator."""
    if user_is_unrestricted(user):
        return True
    return _is_region_editor(user) and _in_subtree(user, run)


def may_approve(user, run) -> bool:
    """Editors whose scope region is a proper ancestor of the run's region, or an administrator: nobody
    approves (returns, unlocks) their own region's run."""
    if user_is_unrestricted(user):
        return True
    return _is_region_editor(user) and _in_subtree(user, run) and run.region.path != user.scope_region.path


def allowed_actions(user, run) -> set:
    """What this user may do with the run now (for the page's buttons)."""
    actions = set()
    if run.status != ReportRun.Status.DONE or not is_latest(run):
        return actions
    if run.approval in (A.DRAFT, A.RETURNED) and may_submit(user, run):
        actions.add("submit")
    if run.approval == A.SUBMITTED and may_approve(user, run):
        actions |= {"approve", "return"}
    if run.approval == A.APPROVED and may_approve(user, run):
        actions.add("unlock")
    return actions


def is_latest(run) -> bool:
    return not ReportRun.objects.filter(definition_id=run.definition_id, region_id=run.region_id, period=run.period,
                                        version__gt=run.version).exists()


def _locked(run) -> ReportRun:
    return ReportRun.objects.select_for_update(of=("self",)).select_related("definition", "region").get(pk=run.pk)


def _check_state(run, allowed, action_label):
    if run.approval not in allowed:
        raise ValidationError(_("Only a %(allowed)s run can be %(action)s; version %(version)s is %(state)s.") % {
            "allowed": _(" or ").join(str(A(state).label) for state in allowed), "action": action_label,
            "version": run.version, "state": run.get_approval_display()})
    if not is_latest(run):
        raise ValidationError(_("Version %(version)s is not the latest version of this report; only the latest "
                                "one carries the approval.") % {"version": run.version})


def _reason(reason, message) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [message]})
    return reason


def _step(run, user, action, before, reason=""):
    ApprovalStep.objects.create(run=run, action=action, from_state=before, to_state=run.approval, user=user,
                                at=timezone.now(), reason=reason)


def _render_cover(run):
    """Print the cover block (as the run now stands) into the files, from the stored table."""
    table = stored_table(run)
    if table is not None:
        render_files(run, table)
        return ["xlsx_file", "csv_file", "xlsx_sha256", "csv_sha256", "preview"]
    return []  # a run built before tables were stored keeps its files


def submit(run, user) -> ReportRun:
    with transaction.atomic():
        run = _locked(run)
        if not may_submit(user, run):
            raise PermissionDenied(_("Only editors of the run's region (or of a region above it) may submit it."))
        if run.status != ReportRun.Status.DONE:
            raise ValidationError(_("Only a finished run can be submitted; this one is %(status)s.")
                                  % {"status": run.get_status_display()})
        _check_state(run, (A.DRAFT, A.RETURNED), _("submitted"))
        before = run.approval
        run.approval = A.SUBMITTED
        run.submitted_by, run.submitted_at = user, timezone.now()
        run.approved_by, run.approved_at = None, None
        run.return_reason = ""
        files = _render_cover(run)
        run.save(update_fields=["approval", "submitted_by", "submitted_at", "approved_by", "approved_at",
                                "return_reason", *files])
        _step(run, user, ApprovalStep.Action.SUBMIT, before)
    return run


def approve(run, user) -> ReportRun:
    with transaction.atomic():
        run = _locked(run)
        if not may_approve(user, run):
            raise PermissionDenied(_("Only editors of a region above the run's region may approve it; nobody "
                                     "approves their own region's report."))
        _check_state(run, (A.SUBMITTED,), _("approved"))
        before = run.approval
        run.approval = A.APPROVED
        run.approved_by, run.approved_at = user, timezone.now()
        files = _render_cover(run)  # the last time the files are written: approved means frozen
        run.save(update_fields=["approval", "approved_by", "approved_at", *files])
        _step(run, user, ApprovalStep.Action.APPROVE, before)
    return run


def return_(run, user, reason) -> ReportRun:
    with transaction.atomic():
        run = _locked(run)
        if not may_approve(user, run):
            raise PermissionDenied(_("Only editors of a region above the run's region may return it."))
        _check_state(run, (A.SUBMITTED,), _("returned"))
        reason = _reason(reason, _("Say why the report is returned, so that it can be corrected."))
        before = run.approval
        run.approval = A.RETURNED
        run.return_reason = reason
        run.save(update_fields=["approval", "return_reason"])
        _step(run, user, ApprovalStep.Action.RETURN, before, reason)
    return run


def unlock(run, user, reason) -> ReportRun:
    """A late correction: the approving side reopens an approved run (→ returned) with a reason. Its files
    stay as they were approved; the submitter builds a new version and submits again."""
    with transaction.atomic():
        run = _locked(run)
        if not may_approve(user, run):
            raise PermissionDenied(_("Only editors of a region above the run's region may unlock it."))
        _check_state(run, (A.APPROVED,), _("unlocked"))
        reason = _reason(reason, _("Say why the approved report is unlocked; the reason is recorded."))
        before = run.approval
        run.approval = A.RETURNED
        run.return_reason = reason
        run.approved_by, run.approved_at = None, None
        run.save(update_fields=["approval", "return_reason", "approved_by", "approved_at"])
        _step(run, user, ApprovalStep.Action.UNLOCK, before, reason)
    return run


ACTIONS = {"submit": submit, "approve": approve, "return": return_, "unlock": unlock}
WITH_REASON = {"return", "unlock"}


# --- completeness and timeliness ------------------------------------------------------------------------

def reporting_regions(definition, root=None, period_end=None):
    """Regions at the definition's reporting levels (in `root`'s subtree, root included), in tree order;
    with `period_end`, only those in existence on it (not closed by then, not created after it)."""
    from django.db.models import Q  # noqa: PLC0415

    from organizations.models import Region  # noqa: PLC0415

    regions = Region.objects.filter(kind__in=definition.reporting_levels or [])
    if root is not None:
        regions = regions.filter(path__startswith=root.path)
    if period_end is not None:
        regions = regions.exclude(valid_to__lte=period_end).filter(Q(valid_from__isnull=True)
                                                                   | Q(valid_from__lte=period_end))
    return regions.order_by("path")


def latest_runs(definition, period_code, root):
    """{region id: latest run} of the definition and period for the regions at its reporting levels in
    `root`'s subtree: one query."""
    from django.db.models import OuterRef, Subquery  # noqa: PLC0415

    newest = (ReportRun.objects.filter(definition=definition, period=period_code, region=OuterRef("region"))
              .order_by("-version").values("version")[:1])
    runs = (ReportRun.objects.filter(definition=definition, period=period_code, region__path__startswith=root.path,
                                     region__kind__in=definition.reporting_levels or [])
            .filter(version=Subquery(newest)).select_related("submitted_by", "approved_by"))
    return {run.region_id: run for run in runs}


def completeness(definition, period, root, today=None) -> dict:
    """For a definition and period: every region at the reporting levels in `root`'s subtree with its latest
    run's approval state, who/when, and `late` (not approved by the due date: either still not approved
    after it, or approved after it). Two queries whatever the number of regions."""
    today = today or timezone.localdate()
    due_on = definition.due_on(period.end)
    regions = list(reporting_regions(definition, root, period.end))
    runs = latest_runs(definition, period.code, root)
    results = []
    for region in regions:
        run = runs.get(region.pk)
        approved_on = timezone.localtime(run.approved_at).date() if run and run.approved_at else None
        if run is not None and run.approval == A.APPROVED:
            late = approved_on > due_on
        else:
            late = today > due_on
        results.append({
            "region": region.code, "name": region.name, "level": region.kind,
            "run": run.pk if run else None, "version": run.version if run else None,
            "approval": run.approval if run else "missing",
            "status": run.status if run else None,
            "submitted_by": run.submitted_by.username if run and run.submitted_by else None,
            "submitted_at": run.submitted_at if run else None,
            "approved_by": run.approved_by.username if run and run.approved_by else None,
            "approved_at": run.approved_at if run else None,
            "late": late,
        })
    return {"due_on": due_on, "results": results}

"""Import kinds of the organizations register: regions, enterprises, organizations, coverage-links.

Columns (English key / Chinese label) are documented in docs/imports.md. Every lookup is preloaded for the
whole file through `visible_to(user)`, so a code outside the user's scope reads as "does not exist", and the
coverage-link rules (organizations.services.check_coverage_link) are checked against preloaded links indexed
by organization and enterprise: no query per row and no scan of every link per row.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.imports import BATCH, Column, ImportKind, PlannedRow, RowError, changed, register, rows_in, touch
from core.trees import PathAllocator, parents_first

from . import services
from .models import (CoverageLink, Enterprise, FormationMode, Industry, OrganizationKind, Ownership, PartyOrganization,
                     Region, ScaleBand)
from .validators import normalize_uscc


def _unknown(what, value):
    return _("No %(what)s “%(value)s” in your scope.") % {"what": what, "value": value}


def _scale_for(bands, employees):
    """The same derivation as Enterprise.save (ScaleBand.scale_for), from bands preloaded once."""
    if employees is None:
        return ""
    chosen = ""
    for minimum, scale in bands:
        if employees >= minimum:
            chosen = scale
    return chosen


def _codes(rows, *columns):
    return {row[column] for row in rows for column in columns if row.get(column)}


class LinkIndex:
    """Coverage links (recorded and planned) by organization and by enterprise, for the rule checks."""

    def __init__(self, links):
        self.by_org = defaultdict(list)
        self.by_enterprise = defaultdict(list)
        for link in links:
            self.add(link)

    def add(self, link):
        if link.organization_id is not None:
            self.by_org[link.organization_id].append(link)
        self.by_enterprise[link.enterprise_id].append(link)

    def touching(self, organization_id, enterprise_id):
        seen, found = set(), []
        for link in self.by_org.get(organization_id, []) + self.by_enterprise.get(enterprise_id, []):
            if id(link) not in seen:
                seen.add(id(link))
                found.append(link)
        return found


def _preload_links(organization_ids, enterprise_ids):
    links = []
    organization_ids, enterprise_ids = list(organization_ids), list(enterprise_ids)
    for start in range(0, max(len(organization_ids), len(enterprise_ids)), 5000):
        links.extend(services.related_links(organization_ids[start:start + 5000], enterprise_ids[start:start + 5000]))
    return LinkIndex({link.pk: link for link in links}.values())


class TreeImport(ImportKind):
    """Regions and organizations: a parent may be an existing node or another row (earlier or later)."""

    parent_column = "parent_code"
    tree_fields: list = []

    def check_plan(self, plan, ctx):
        """Parents in the file must not form a loop, and a node cannot move under its own descendants."""
        file_parent = {p.values["code"]: p.values.get(self.parent_column) for p in plan}
        limit = len(file_parent) + 1
        errors = []
        for planned in plan:
            code = planned.values["code"]
            current, steps = planned.values.get(self.parent_column), 0
            while current is not None and current in file_parent and current != code and steps <= limit:
                current, steps = file_parent[current], steps + 1
            column = self.column_label(self.parent_column)
            if current == code or steps > limit:
                errors.append(RowError(planned.row, column, _("The parents in the file form a loop.")))
            elif planned.extra.get("move") and current in ctx["visible"] and \
                    ctx["visible"][current].path.startswith(planned.instance.path):
                errors.append(RowError(planned.row, column,
                                       _("A node cannot be placed under itself or its own descendants.")))
        return errors

    def write(self, plan, user):
        self.write_nodes([p for p in plan if not p.extra.get("links_only")], user)
        self.after_write(plan, user)

    def write_nodes(self, plan, user):
        model = self.model
        creates = [p for p in plan if p.action == "create"]
        updates = [p for p in plan if p.action == "update"]
        by_code = {p.instance.code: p.instance for p in creates}
        ordered = parents_first(creates, key=lambda p: p.instance.code,
                                parent_key=lambda p: p.values.get(self.parent_column))
        allocator = PathAllocator(model, [p.extra.get("parent") for p in ordered])
        for planned in ordered:
            parent = by_code.get(planned.values.get(self.parent_column)) or planned.extra.get("parent")
            allocator.place(planned.instance, parent)
        if ordered:
            bulk_create_with_history([p.instance for p in ordered], model, batch_size=BATCH, default_user=user)
            allocator.update_existing_parents()
        plain = [p.instance for p in updates if not p.extra.get("move")]
        if plain:
            touch(plain)
            bulk_update_with_history(plain, model, self.update_fields(), batch_size=BATCH, default_user=user)
        for planned in updates:  # a changed parent is a move (rare): treebeard moves one subtree at a time
            if planned.extra.get("move"):
                parent_code = planned.values.get(self.parent_column)
                parent = None
                if parent_code:
                    parent = by_code.get(parent_code) or model.objects.get(code=parent_code)
                planned.instance._history_user = user
                if model is Region and parent is not None:  # a region's new parent is a recorded region change
                    from . import region_changes  # noqa: PLC0415

                    planned.instance.save()
                    region_changes.move_region(planned.instance, parent, user=user,
                                               effective_on=timezone.localdate(), note=_("Recorded by an import"))
                else:
                    services._tree_save(model, planned.instance, parent)

    def after_write(self, plan, user):
        pass

    def update_fields(self):
        fields = list(self.tree_fields)
        if any(f.name == "updated_at" for f in self.model._meta.concrete_fields):
            fields.append("updated_at")
        return fields

    def resolve_parent(self, values, existing, ctx, what):
        """(parent node or None, moves?) for a row; raises when the parent is unknown or out of scope.
        An unchanged parent needs no visibility (a region editor re-importing their own scope's root)."""
        code, parent_code = values["code"], values.get(self.parent_column) or None
        user = ctx["user"]
        if existing is not None and not self.given(self.parent_column):
            values[self.parent_column] = existing.parent_code  # no parent column: the parent stays
            return ctx["visible"].get(existing.parent_code), False
        if existing is not None and parent_code == existing.parent_code:
            return ctx["visible"].get(parent_code) if parent_code else None, False
        if parent_code:
            parent = ctx["visible"].get(parent_code)
            if parent is None and parent_code not in ctx["file_codes"]:
                raise ValidationError({self.parent_column: _unknown(what, parent_code)})
            if parent_code == code:
                raise ValidationError({self.parent_column: _("A node cannot be its own parent.")})
        else:
            parent = None
            if self.roots_need_admin and not user.is_admin:
                raise ValidationError({self.parent_column: _("Only administrators can create or move a node to "
                                                             "the top level.")})
        return parent, existing is not None


@register
class RegionImport(TreeImport):
    key = "regions"
    label = gettext_lazy("Regions")
    model = Region
    natural_key = "code"
    roots_need_admin = True
    columns = [
        Column("code", "区域代码", required=True),
        Column("name", "名称", required=True),
        Column("kind", "类型", required=True, kind="choice", choices=Region.Kind),
        Column("parent_code", "上级区域代码"),
        Column("zone_type", "园区类型", kind="choice", choices=Region.ZoneType),
    ]
    tree_fields = ["name", "kind", "zone_type"]

    def preload(self, rows, user):
        codes = _codes(rows, "code", "parent_code")
        visible = {r.code: r for r in rows_in(Region.objects.with_parent_code().visible_to(user), "code", codes)}
        every = {r.code for r in rows_in(Region.objects.order_by().only("pk", "code"), "code", codes)}
        return {"visible": visible, "taken": every - set(visible), "file_codes": _codes(rows, "code"), "user": user}

    def build(self, values, ctx):
        code = values["code"]
        if code in ctx["taken"]:
            raise ValidationError({"code": _("Region “%(code)s” exists outside your scope.") % {"code": code}})
        existing = ctx["visible"].get(code)
        parent, moves = self.resolve_parent(values, existing, ctx, _("region"))
        fields = {"name": values["name"], "kind": values["kind"], "zone_type": values.get("zone_type") or ""}
        if existing is None:
            return PlannedRow(0, "create", Region(code=code, **fields), values, {"parent": parent})
        if not self.given("zone_type"):
            del fields["zone_type"]
        if not changed(existing, fields) and not moves:
            return PlannedRow(0, "unchanged", existing, values)
        for name, value in fields.items():
            setattr(existing, name, value)
        return PlannedRow(0, "update", existing, values, {"move": moves})


@register
class EnterpriseImport(ImportKind):
    key = "enterprises"
    label = gettext_lazy("Enterprises")
    model = Enterprise
    natural_key = "uscc"
    columns = [
        Column("uscc", "统一社会信用代码", required=True, normalize=normalize_uscc),
        Column("name", "企业名称", required=True),
        Column("region_code", "区域代码", required=True),
        Column("ownership", "经济类型", kind="choice", choices=Ownership),
        Column("industry", "行业门类", kind="choice", choices=Industry),
        Column("employees", "从业人员数", kind="int"),
        Column("founded_on", "成立日期", kind="date"),
        Column("closed_on", "注销日期", kind="date"),
        Column("status", "经营状态", kind="choice", choices=Enterprise.Status),
    ]
    field_for_column = {"region_code": "region"}
    data_fields = ["name", "region_id", "ownership", "industry", "employees", "founded_on", "closed_on", "status",
                   "scale"]

    def preload(self, rows, user):
        usccs = _codes(rows, "uscc")
        visible = {e.uscc: e for e in rows_in(Enterprise.objects.visible_to(user), "uscc", usccs)}
        every = {e.uscc for e in rows_in(Enterprise.objects.order_by().only("pk", "uscc"), "uscc", usccs)}
        return {
            "regions": {r.code: r for r in rows_in(Region.objects.visible_to(user), "code", _codes(rows, "region_code"))},
            "existing": visible,
            "taken": every - set(visible),
            "bands": list(ScaleBand.objects.order_by("min_employees").values_list("min_employees", "scale")),
        }

    def build(self, values, ctx):
        uscc = values["uscc"]
        if uscc in ctx["taken"]:
            raise ValidationError({"uscc": _("This USCC is already registered outside your scope.")})
        region = ctx["regions"].get(values["region_code"])
        if region is None:
            raise ValidationError({"region": _unknown(_("region"), values["region_code"])})
        status = values.get("status") or (Enterprise.Status.CLOSED if values.get("closed_on")
                                          else Enterprise.Status.OPERATING)
        fields = {"name": values["name"], "region_id": region.pk,
                  "ownership": values.get("ownership") or Ownership.PRIVATE_CONTROLLED,
                  "industry": values.get("industry") or "", "employees": values.get("employees"),
                  "founded_on": values.get("founded_on"), "closed_on": values.get("closed_on"), "status": status}
        existing = ctx["existing"].get(uscc)
        if existing is not None:  # columns the file does not have keep their stored values
            for column in ("ownership", "industry", "employees", "founded_on", "closed_on"):
                if not self.given(column):
                    del fields[column]
            if not self.given("status") and not values.get("closed_on"):
                del fields["status"]
        employees = fields["employees"] if "employees" in fields else existing.employees
        if existing is not None and existing.scale_overridden:
            fields["scale"] = existing.scale
        else:
            fields["scale"] = _scale_for(ctx["bands"], employees)
        if existing is None:
            return PlannedRow(0, "create", Enterprise(uscc=uscc, **fields), values)
        if not changed(existing, fields):
            return PlannedRow(0, "unchanged", existing, values)
        for name, value in fields.items():
            setattr(existing, name, value)
        return PlannedRow(0, "update", existing, values)

    def write(self, plan, user):
        touch([p.instance for p in plan if p.action == "update"])
        super().write(plan, user)

    def update_fields(self):
        return [f.replace("_id", "") if f == "region_id" else f for f in self.data_fields] + ["updated_at"]


@register
class OrganizationImport(TreeImport):
    key = "organizations"
    label = gettext_lazy("Party organizations")
    model = PartyOrganization
    natural_key = "code"
    roots_need_admin = False  # a county's organizations are roots of their own trees
    columns = [
        Column("code", "组织代码", required=True),
        Column("name", "组织名称", required=True),
        Column("kind", "组织类别", required=True, kind="choice", choices=OrganizationKind),
        Column("formation_mode", "组建方式", required=True, kind="choice", choices=FormationMode),
        Column("parent_code", "上级党组织代码"),
        Column("region_code", "区域代码", required=True),
        Column("established_on", "成立日期", required=True, kind="date"),
        Column("covers", "覆盖企业（统一社会信用代码，以;分隔）", kind="list",
               help=gettext_lazy("USCCs separated by “;”. Coverage links are created from the establishment date.")),
        Column("secretary_name", "书记姓名"),
    ]
    field_for_column = {"region_code": "region"}
    tree_fields = ["name", "kind", "formation_mode", "region", "established_on", "secretary_name"]

    def preload(self, rows, user):
        codes = _codes(rows, "code", "parent_code")
        usccs = {normalize_uscc(u) for r in rows for u in (r.get("covers") or [])}
        visible = {o.code: o for o in rows_in(PartyOrganization.objects.with_parent_code().visible_to(user),
                                              "code", codes)}
        every = {o.code for o in rows_in(PartyOrganization.objects.order_by().only("pk", "code"), "code", codes)}
        enterprises = {e.uscc: e for e in rows_in(Enterprise.objects.visible_to(user), "uscc", usccs)}
        return {
            "user": user, "visible": visible, "file_codes": _codes(rows, "code"), "taken": every - set(visible),
            "regions": {r.code: r for r in rows_in(Region.objects.visible_to(user), "code",
                                                   _codes(rows, "region_code"))},
            "enterprises": enterprises,
            "links": _preload_links([o.pk for o in visible.values()], [e.pk for e in enterprises.values()]),
            "individual_in_file": {},  # enterprise pk → row code of a new individually formed organization
        }

    def build(self, values, ctx):
        code = values["code"]
        if code in ctx["taken"]:
            raise ValidationError({"code": _("Organization “%(code)s” exists outside your scope.") % {"code": code}})
        region = ctx["regions"].get(values["region_code"])
        if region is None:
            raise ValidationError({"region": _unknown(_("region"), values["region_code"])})
        existing = ctx["visible"].get(code)
        parent, moves = self.resolve_parent(values, existing, ctx, _("organization"))
        fields = {"name": values["name"], "kind": values["kind"], "formation_mode": values["formation_mode"],
                  "region_id": region.pk, "established_on": values["established_on"],
                  "secretary_name": values.get("secretary_name") or ""}
        if existing is None:
            node, action, extra = PartyOrganization(code=code, **fields), "create", {"parent": parent}
        else:
            if not self.given("secretary_name"):
                del fields["secretary_name"]
            node, extra = existing, {"move": moves}
            action = "update" if changed(existing, fields) or moves else "unchanged"
            for name, value in fields.items():
                setattr(existing, name, value)
        links = self.plan_links(node, values, ctx)
        if links and action == "unchanged":  # the node itself is unchanged: only its new links are written
            action, extra["links_only"] = "update", True
        return PlannedRow(0, action, node, values, {**extra, "links": links})

    def plan_links(self, node, values, ctx):
        covers = list(dict.fromkeys(normalize_uscc(u) for u in values.get("covers") or []))
        if node.formation_mode == FormationMode.INDIVIDUAL and len(covers) > 1:
            raise ValidationError({"covers": _("An individually formed organization covers exactly one enterprise.")})
        if node.pk is None:
            services.check_new_joint_branch(node.formation_mode, len(covers))
        index, links = ctx["links"], []
        for uscc in covers:
            enterprise = ctx["enterprises"].get(uscc)
            if enterprise is None:
                raise ValidationError({"covers": _unknown(_("enterprise"), uscc)})
            if node.pk and any(link.organization_id == node.pk and link.valid_to is None
                               for link in index.by_enterprise.get(enterprise.pk, [])):
                continue  # already covered: re-importing changes nothing
            link = CoverageLink(organization=node, enterprise=enterprise, valid_from=node.established_on)
            # Recorded links (and links planned for existing organizations) carry real ids: the service's
            # rules apply as they are. Links of organizations new in this file are checked just below.
            try:
                services.check_coverage_link(link, others=index.touching(node.pk, enterprise.pk)
                                             if node.pk else [o for o in index.by_enterprise.get(enterprise.pk, [])
                                                              if o.organization_id is not None])
            except ValidationError as error:
                raise ValidationError({"covers": error.messages}) from error
            if node.formation_mode == FormationMode.INDIVIDUAL:
                other = ctx["individual_in_file"].get(enterprise.pk)
                if other is not None and other != node.code:
                    raise ValidationError({"covers": _("“%(ent)s” already has its own organization “%(org)s” in "
                                                       "this file.") % {"ent": enterprise.name, "org": other}})
                ctx["individual_in_file"][enterprise.pk] = node.code
            if node.pk:
                index.add(link)
            links.append(link)
        return links

    def after_write(self, plan, user):
        links = []
        for planned in plan:
            for link in planned.extra.get("links", []):
                link.organization = planned.instance  # now saved, with its pk
                links.append(link)
        if links:
            bulk_create_with_history(links, CoverageLink, batch_size=BATCH, default_user=user)


@register
class CoverageLinkImport(ImportKind):
    key = "coverage-links"
    label = gettext_lazy("Coverage links")
    model = CoverageLink
    natural_key = ""  # a link is identified by (organization, enterprise, valid_from)
    columns = [
        Column("organization_code", "组织代码", required=True),
        Column("enterprise_uscc", "统一社会信用代码", required=True, normalize=normalize_uscc),
        Column("valid_from", "起始日期", required=True, kind="date"),
        Column("valid_to", "终止日期", kind="date"),
    ]
    field_for_column = {"organization_code": "organization", "enterprise_uscc": "enterprise"}

    def preload(self, rows, user):
        orgs = {o.code: o for o in rows_in(PartyOrganization.objects.visible_to(user), "code",
                                           _codes(rows, "organization_code"))}
        enterprises = {e.uscc: e for e in rows_in(Enterprise.objects.visible_to(user), "uscc",
                                                  _codes(rows, "enterprise_uscc"))}
        index = _preload_links([o.pk for o in orgs.values()], [e.pk for e in enterprises.values()])
        recorded = {(link.organization_id, link.enterprise_id, link.valid_from): link
                    for links in index.by_enterprise.values() for link in links}
        return {"orgs": orgs, "enterprises": enterprises, "links": index, "recorded": recorded, "seen": {}}

    def build(self, values, ctx):
        org = ctx["orgs"].get(values["organization_code"])
        if org is None:
            raise ValidationError({"organization": _unknown(_("organization"), values["organization_code"])})
        enterprise = ctx["enterprises"].get(values["enterprise_uscc"])
        if enterprise is None:
            raise ValidationError({"enterprise": _unknown(_("enterprise"), values["enterprise_uscc"])})
        key = (org.pk, enterprise.pk, values["valid_from"])
        if key in ctx["seen"]:
            raise ValidationError(_("The same link appears in row %(row)d.") % {"row": ctx["seen"][key]})
        ctx["seen"][key] = self.current_row
        existing = ctx["recorded"].get(key)
        if existing is not None:
            if existing.valid_to == values.get("valid_to"):
                return PlannedRow(0, "unchanged", existing, values)
            existing.valid_to = values.get("valid_to")
            link, action = existing, "update"
        else:
            link = CoverageLink(organization=org, enterprise=enterprise, valid_from=values["valid_from"],
                                valid_to=values.get("valid_to"))
            action = "create"
        services.check_coverage_link(link, others=ctx["links"].touching(org.pk, enterprise.pk))
        if action == "create":
            ctx["links"].add(link)
        return PlannedRow(0, action, link, values)

    def update_fields(self):
        return ["valid_to"]


# --- secretaries and enterprise posts (additions) -------------------------------------------------

from .models import EnterprisePost, Secretary, SecretaryAppointment, SecretarySource  # noqa: E402


@register
class EnterprisePostImport(ImportKind):
    """Management and backbone posts per enterprise (双向进入、交叉任职). A row is identified by the
    enterprise, the person and the post: re-importing the same file changes nothing."""

    key = "enterprise-posts"
    label = gettext_lazy("Enterprise posts (two-way entry)")
    model = EnterprisePost
    columns = [
        Column("enterprise_uscc", "统一社会信用代码", required=True, normalize=normalize_uscc),
        Column("person_name", "姓名", required=True),
        Column("post", "职务", required=True),
        Column("level", "层级", required=True, kind="choice", choices=EnterprisePost.Level),
        Column("is_member", "是否党员", kind="bool"),
        Column("on_party_committee", "是否进入党组织班子", kind="bool"),
        Column("started_on", "任职日期", kind="date"),
        Column("ended_on", "离任日期", kind="date"),
    ]
    field_for_column = {"enterprise_uscc": "enterprise"}
    data_fields = ["level", "is_member", "on_party_committee", "started_on", "ended_on"]

    def preload(self, rows, user):
        enterprises = {e.uscc: e for e in rows_in(Enterprise.objects.visible_to(user), "uscc",
                                                   _codes(rows, "enterprise_uscc"))}
        existing = {}
        for post in rows_in(EnterprisePost.objects.filter(enterprise__in=list(enterprises.values())),
                            "enterprise_id", {e.pk for e in enterprises.values()}):
            existing[(post.enterprise_id, post.person_name, post.post)] = post
        return {"enterprises": enterprises, "existing": existing}

    def build(self, values, ctx):
        enterprise = ctx["enterprises"].get(values["enterprise_uscc"])
        if enterprise is None:
            raise ValidationError({"enterprise_uscc": _unknown(_("enterprise"), values["enterprise_uscc"])})
        fields = {"level": values["level"], "is_member": bool(values.get("is_member")),
                  "on_party_committee": bool(values.get("on_party_committee")),
                  "started_on": values.get("started_on"), "ended_on": values.get("ended_on")}
        fields = {k: v for k, v in fields.items() if self.given(k) or k == "level"}
        existing = ctx["existing"].get((enterprise.pk, values["person_name"], values["post"]))
        if existing is None:
            return PlannedRow(0, "create", EnterprisePost(enterprise=enterprise, person_name=values["person_name"],
                                                          post=values["post"], **fields), values)
        if not changed(existing, fields):
            return PlannedRow(0, "unchanged", existing, values)
        for name, value in fields.items():
            setattr(existing, name, value)
        return PlannedRow(0, "update", existing, values)

    def update_fields(self):
        return self.data_fields


@register
class SecretaryImport(ImportKind):
    """Secretaries and, where the row names an organization, their appointment. A person is identified by
    the managing region and the name; an appointment by person, organization, post and start date."""

    key = "secretaries"
    label = gettext_lazy("Secretaries")
    model = Secretary
    columns = [
        Column("name", "姓名", required=True),
        Column("region_code", "管理区域代码", required=True),
        Column("source", "书记来源", required=True, kind="choice", choices=SecretarySource),
        Column("phone", "联系电话"),
        Column("unit", "工作单位及职务"),
        Column("organization_code", "任职党组织代码"),
        Column("role", "职务", kind="choice", choices=SecretaryAppointment.Role),
        Column("appointed_on", "任职日期", kind="date"),
    ]
    field_for_column = {"region_code": "region"}

    def preload(self, rows, user):
        regions = {r.code: r for r in rows_in(Region.objects.visible_to(user), "code", _codes(rows, "region_code"))}
        orgs = {o.code: o for o in rows_in(PartyOrganization.objects.visible_to(user), "code",
                                            _codes(rows, "organization_code"))}
        people = {(s.region_id, s.name): s for s in rows_in(
            Secretary.objects.filter(region__in=list(regions.values())), "name", _codes(rows, "name"))}
        appointments = list(rows_in(SecretaryAppointment.objects.select_related("secretary"), "organization_id",
                                    {o.pk for o in orgs.values()}))
        self._ctx = {"regions": regions, "orgs": orgs, "people": people, "appointments": appointments}
        return self._ctx

    def build(self, values, ctx):
        region = ctx["regions"].get(values["region_code"])
        if region is None:
            raise ValidationError({"region_code": _unknown(_("region"), values["region_code"])})
        appointment = None
        if values.get("organization_code"):
            org = ctx["orgs"].get(values["organization_code"])
            if org is None:
                raise ValidationError({"organization_code": _unknown(_("organization"), values["organization_code"])})
            if not values.get("appointed_on"):
                raise ValidationError({"appointed_on": _("Give the date of the appointment.")})
            appointment = {"organization": org, "role": values.get("role") or SecretaryAppointment.Role.SECRETARY,
                           "appointed_on": values["appointed_on"]}
        fields = {"source": values["source"]}
        for key in ("phone", "unit"):
            if self.given(key):
                fields[key] = values.get(key) or ""
        existing = ctx["people"].get((region.pk, values["name"]))
        extra = {"appointment": appointment}
        if existing is None:
            return PlannedRow(0, "create", Secretary(region=region, name=values["name"], **fields), values, extra)
        action = "update" if changed(existing, fields) else "unchanged"
        for name, value in fields.items():
            setattr(existing, name, value)
        if action == "unchanged" and appointment and not self._recorded(existing, appointment, ctx):
            action = "update"
        return PlannedRow(0, action, existing, values, extra)

    @staticmethod
    def _recorded(person, appointment, ctx):
        return any(a.secretary_id == person.pk and a.organization_id == appointment["organization"].pk
                   and a.role == appointment["role"] and a.appointed_on == appointment["appointed_on"]
                   for a in ctx["appointments"])

    def check_plan(self, plan, ctx):
        """One secretary per organization at a time, against the recorded ones and the other rows."""
        from .services import overlaps  # noqa: PLC0415

        errors, planned = [], []
        for row in plan:
            appointment = row.extra.get("appointment")
            if not appointment or appointment["role"] != SecretaryAppointment.Role.SECRETARY:
                continue
            if row.instance.pk and self._recorded(row.instance, appointment, ctx):
                continue
            org = appointment["organization"]
            clash = [a.secretary.name for a in ctx["appointments"]
                     if a.organization_id == org.pk and a.role == SecretaryAppointment.Role.SECRETARY
                     and overlaps(appointment["appointed_on"], None, a.appointed_on, a.ended_on)]
            clash += [name for (org_pk, name) in planned if org_pk == org.pk]
            if clash:
                errors.append(RowError(row.row, self.column_label("organization_code"), _(
                    "“%(org)s” already has a secretary, %(name)s, from then: end that appointment first.") % {
                    "org": org.name, "name": clash[0]}))
            planned.append((org.pk, row.values["name"]))
        return errors

    def write(self, plan, user):
        from .services import sync_secretary_names  # noqa: PLC0415

        super().write(plan, user)
        new = []
        for row in plan:
            appointment = row.extra.get("appointment")
            if appointment and not (row.action != "create" and self._recorded(row.instance, appointment, self._ctx)):
                new.append(SecretaryAppointment(secretary=row.instance, **appointment))
        if new:
            bulk_create_with_history(new, SecretaryAppointment, batch_size=BATCH, default_user=user)
            sync_secretary_names({a.organization_id for a in new})

    def update_fields(self):
        return ["source", "phone", "unit"]

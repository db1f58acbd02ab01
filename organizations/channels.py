"""Work coverage through other channels (DESIGN.md "work coverage … and, configurably, by union / Youth League
/ liaison"): a channel is configuration (off by default); a `ChannelReach` is the dated fact that the channel
reaches an enterprise ("the enterprise's trade union from A to B"), so a past date's figures stay what they
were. The coverage engine (reports/coverage.py) counts an enterprise reached only through an enabled channel
once, as `channel_covered` (neither organization- nor instructor-covered)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import Scope, ScopedQuerySet


class WorkChannel(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    enabled = models.BooleanField(_("counts towards work coverage"), default=False,
                                  help_text=_("Off by default: only organizations and instructors count."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("work coverage channel")
        verbose_name_plural = _("work coverage channels")

    def __str__(self):
        return self.name


class ChannelReachQuerySet(ScopedQuerySet):
    def active_on(self, day):
        """In force on `day`, through a channel that is switched on."""
        return self.filter(self.active_q(day)).order_by()

    @staticmethod
    def active_q(day) -> Q:
        """The condition of `active_on` (also used per row, for several days at once: reports.trends)."""
        return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day)) & Q(channel__enabled=True)


class ChannelReach(models.Model):
    """Channel C reaches enterprise E from valid_from (inclusive) to valid_to (exclusive)."""

    channel = models.ForeignKey(WorkChannel, verbose_name=_("channel"), on_delete=models.PROTECT,
                                related_name="reaches")
    enterprise = models.ForeignKey("organizations.Enterprise", verbose_name=_("enterprise"),
                                   on_delete=models.PROTECT, related_name="channel_reaches")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ChannelReachQuerySet.as_manager()
    history = HistoricalRecords()
    scope = Scope(region="enterprise__region", organization=None, instructor=None)

    class Meta:
        ordering = ["enterprise", "channel", "-valid_from"]
        verbose_name = _("channel reach")
        verbose_name_plural = _("channel reaches")
        indexes = [models.Index(fields=["enterprise", "valid_from"])]
        constraints = [models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                                              name="channel_reach_dates_ordered")]

    def __str__(self):
        return f"{self.channel} → {self.enterprise} [{self.valid_from} – {self.valid_to or '…'})"

    @classmethod
    def scope_filter(cls, user):
        """Whoever sees the enterprise sees how it is reached."""
        from .models import Enterprise  # noqa: PLC0415

        return Q(enterprise__in=Enterprise.objects.visible_to(user).values("pk"))

    def clean(self):
        errors = {}
        if self.valid_to and self.valid_from and self.valid_to <= self.valid_from:
            errors["valid_to"] = _("The end must be after the start.")
        if self.enterprise_id and self.valid_from:
            enterprise = self.enterprise
            if enterprise.closed_on and self.valid_from >= enterprise.closed_on:
                errors["valid_from"] = _("The enterprise closed on %(date)s.") % {"date": enterprise.closed_on}
            overlapping = ChannelReach.objects.filter(channel_id=self.channel_id, enterprise_id=self.enterprise_id) \
                .exclude(pk=self.pk).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=self.valid_from))
            if self.valid_to:
                overlapping = overlapping.filter(valid_from__lt=self.valid_to)
            if self.channel_id and overlapping.exists():
                errors["valid_from"] = _("This channel already reaches the enterprise in that period.")
        if errors:
            raise ValidationError(errors)

"""API machinery shared by every app: roles, scoped viewsets, natural-key fields, pagination, errors."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from .masking import mask_for, mask_value
from .roles import STAFF_EDIT_ROLES, STAFF_VIEW_ROLES

logger = logging.getLogger(__name__)


def validation_error_detail(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc, context):
    """One JSON error shape; Django's own exceptions become 400/403/404 instead of 500s."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_error_detail(exc))
    elif isinstance(exc, ProtectedError):
        exc = exceptions.ValidationError({"non_field_errors": [_("This object is still referenced and cannot be removed.")]})
    elif isinstance(exc, IntegrityError):
        logger.info("integrity error turned into 400: %s", exc)
        exc = exceptions.ValidationError({"non_field_errors": [_("This change conflicts with existing data (a duplicate?).")]})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    from rest_framework.views import exception_handler as drf_exception_handler  # noqa: PLC0415 (import cycle)

    request = context.get("request")
    in_transaction = getattr(request, "_api_write_transaction", False)
    if in_transaction:
        # the view runs its whole write (and the response) in one transaction: an error undoes all of it
        transaction.set_rollback(True)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled API error", exc_info=exc)
        request_id = getattr(request, "id", "-")
        if in_transaction or request is None or request.method in ("GET", "HEAD", "OPTIONS"):
            detail = _("Internal error. The request changed nothing; quote this id: %(id)s") % {"id": request_id}
        else:
            detail = _("Internal error. Check whether the change was made before repeating it; quote this id: "
                       "%(id)s") % {"id": request_id}
        return Response({"detail": detail}, status=500)
    return response


class ScopedSlugRelatedField(serializers.SlugRelatedField):
    """A related object named by its natural key (code, uscc), offered only from the caller's scope.

    An object outside the scope answers exactly like one that does not exist.
    """

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is not None and hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(request.user)
        return queryset


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is not None and hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(request.user)
        return queryset


def lock_row(model, pk):
    """`SELECT … FOR UPDATE` of one row by primary key (a no-op on SQLite), inside the caller's transaction:
    concurrent read-modify-writes of one object (API PUT/PATCH, edit pages) queue up, and each reads what the
    one before it wrote. The lock is taken on the bare table (no scope joins: FOR UPDATE cannot lock the
    nullable side of an outer join); the scoped read that follows still answers 404 out of scope."""
    list(model._base_manager.filter(pk=pk).select_for_update().values_list("pk", flat=True))


def ensure_in_scope(user, instance):
    """After a write, inside its transaction: the object must still be visible to its writer."""
    model = type(instance)
    if not model._default_manager.visible_to(user).filter(pk=instance.pk).exists():
        raise DjangoValidationError(_("This would put the object outside your scope."))


class ScopedModelViewSet(viewsets.ModelViewSet):
    """List/create/retrieve/update over `Model.objects.visible_to(user)`; no delete unless a subclass allows.

    Writes run in a transaction; model validation (`full_clean`) runs before saving, and the saved object
    must still be in the writer's scope, or nothing is written.
    """

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    view_roles = STAFF_VIEW_ROLES
    edit_roles = STAFF_EDIT_ROLES
    lookup_value_regex = r"\d+"

    def get_base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        return self.get_base_queryset().visible_to(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        """A write (create, update, any POST action) runs with its response in one transaction, so an error
        while answering — after the save — still changes nothing (the error handler rolls it back)."""
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            request._api_write_transaction = True
            try:
                response = super().dispatch(request, *args, **kwargs)
                if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                    response.render()
            finally:
                request._api_write_transaction = False
        return response

    def perform_create(self, serializer):
        # No savepoint of its own: inside dispatch's transaction an error rolls the whole write back anyway.
        with transaction.atomic(savepoint=False):
            instance = serializer.save()
            ensure_in_scope(self.request.user, instance)

    def update(self, request, *args, **kwargs):
        """PUT/PATCH as one read-modify-write under the row's lock (`core.views.lock_row`): the object is read
        after the lock is taken, so twenty clients PATCHing different fields of one object each save on top
        of the one before instead of writing back a stale copy (lost updates). The response is produced
        inside the same transaction."""
        with transaction.atomic():
            lock_row(self.get_base_queryset().model, self.kwargs[self.lookup_url_kwarg or self.lookup_field])
            return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        with transaction.atomic(savepoint=False):
            instance = serializer.save()
            ensure_in_scope(self.request.user, instance)


class ModelCleanMixin:
    """Serializer mixin: run the model's own `clean()` rules so the API enforces what forms enforce.

    Fields the serializer does not write (tree bookkeeping, derived fields) are left out of field
    validation; `Meta.clean_exclude` names more. What `clean()` derives or normalizes in a writable field
    (a birth date from the ID number, an upper-cased code) is written too, on create as on update — as a
    ModelForm saves its cleaned instance.
    """

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = self.instance if self.instance is not None else model()
        for key, value in attrs.items():
            if not isinstance(value, list) and hasattr(model, key):
                setattr(instance, key, value)
        writable = {name for name, field in self.fields.items() if not field.read_only}
        exclude = {f.name for f in model._meta.concrete_fields if f.name not in writable}
        exclude |= set(getattr(self.Meta, "clean_exclude", ()))
        # A foreign key the serializer has already read from its (scoped) queryset exists: its field check
        # would only repeat that read as a second query (`ForeignKey.validate`). clean() still sees the value.
        exclude |= {f.name for f in model._meta.concrete_fields
                    if f.many_to_one and not f.remote_field.limit_choices_to
                    and isinstance(self.fields.get(f.name), serializers.RelatedField)
                    and isinstance(attrs.get(f.name), f.related_model)}
        derivable = [f.name for f in model._meta.concrete_fields
                     if f.name in writable and not f.is_relation and self.fields[f.name].source == f.name]
        before = {name: getattr(instance, name) for name in derivable}
        try:
            instance.full_clean(exclude=sorted(exclude), validate_unique=False, validate_constraints=False)
        except DjangoValidationError as error:
            raise serializers.ValidationError(validation_error_detail(error)) from error
        attrs.update({name: getattr(instance, name) for name in derivable if getattr(instance, name) != before[name]})
        return attrs


class MaskedSerializerMixin:
    """ID and phone numbers masked on read for users without the sensitive-data permission; a masked date
    (the birth date an ID number encodes) reads as null (core.masking)."""

    masked = ()

    def _sees_sensitive(self):
        request = self.context.get("request")
        return request is not None and getattr(request.user, "sees_sensitive", False)

    def validate(self, attrs):
        # A client that read a masked value and sends the record back unchanged is not changing the number
        # (nor the birth date: null, derived again from the ID number by the model's clean()).
        if self.instance is not None:
            for name in self.masked:
                if name not in attrs:
                    continue
                if isinstance(self.fields.get(name), serializers.DateField):
                    if attrs[name] is None and not self._sees_sensitive():
                        attrs.pop(name)
                elif attrs[name] and attrs[name] == mask_value(getattr(self.instance, name)):
                    attrs.pop(name)
        return super().validate(attrs)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        user = request.user if request is not None else None
        sees = self._sees_sensitive()
        for name in self.masked:
            if name in data:
                if isinstance(self.fields.get(name), serializers.DateField):
                    data[name] = data[name] if sees else None
                else:
                    data[name] = mask_for(user, data[name])
        return data

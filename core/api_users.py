"""`users/` (admins only) and `auth/token/`."""

import hashlib

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from .api import ScopedModelViewSet
from .models import check_role_scope
from .roles import Role

User = get_user_model()


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    scope_region = serializers.SlugRelatedField(slug_field="code", required=False, allow_null=True,
                                                queryset=User._meta.get_field("scope_region").related_model.objects.all())
    scope_organization = serializers.SlugRelatedField(
        slug_field="code", required=False, allow_null=True,
        queryset=User._meta.get_field("scope_organization").related_model.objects.all())
    scope_instructor = serializers.PrimaryKeyRelatedField(
        required=False, allow_null=True,
        queryset=User._meta.get_field("scope_instructor").related_model.objects.all())

    class Meta:
        model = User
        fields = ["id", "username", "password", "role", "scope_region", "scope_organization", "scope_instructor",
                  "is_active", "can_view_sensitive", "first_name", "last_name", "email", "date_joined", "last_login"]
        read_only_fields = ["date_joined", "last_login"]

    def validate(self, attrs):
        instance = self.instance
        role = attrs.get("role", instance.role if instance else Role.REGION_VIEWER)

        def current(name):
            if name in attrs:
                return attrs[name]
            return getattr(instance, name) if instance else None

        region, organization, instructor = current("scope_region"), current("scope_organization"), current(
            "scope_instructor")
        try:
            check_role_scope(role, region and region.pk, organization and organization.pk,
                             instructor and instructor.pk)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        password = attrs.get("password")
        if instance is None and not password:
            raise serializers.ValidationError({"password": [_("A new user needs a password.")]})
        if password:
            candidate = instance or User(username=attrs.get("username", ""))
            try:
                password_validation.validate_password(password, candidate)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"password": list(error.messages)}) from error
        return attrs

    def create(self, validated_data):
        password = validated_data.pop("password")
        user = User(**validated_data)
        user.set_password(password)
        user.save()
        return user

    def update(self, instance, validated_data):
        password = validated_data.pop("password", None)
        for key, value in validated_data.items():
            setattr(instance, key, value)
        if password:
            instance.set_password(password)
        instance.save()
        return instance


class UserViewSet(ScopedModelViewSet):
    """Admins manage users; there is no delete (deactivate with `is_active: false`)."""

    queryset = User.objects.select_related("scope_region", "scope_organization").order_by("username")
    serializer_class = UserSerializer
    view_roles = frozenset({Role.ADMIN})
    edit_roles = frozenset({Role.ADMIN})
    filterset_fields = ["role", "is_active"]

    def get_queryset(self):
        # Only admins reach this viewset (see roles above); they see every user.
        return self.get_base_queryset()

    def perform_create(self, serializer):
        serializer.save()

    def perform_update(self, serializer):
        serializer.save()


class LoginRateThrottle(AnonRateThrottle):
    """Per client address: REMOTE_ADDR, or the address NUM_PROXIES trusted proxies put into X-Forwarded-For
    (REST_FRAMEWORK["NUM_PROXIES"]; a client's own X-Forwarded-For is ignored). Counted in the shared cache
    (Redis when REDIS_URL is set), so every gunicorn worker sees the same count."""

    scope = "login"


class LoginUsernameRateThrottle(SimpleRateThrottle):
    """Per username tried, whatever address it comes from (a botnet trying one account)."""

    scope = "login_username"

    def get_cache_key(self, request, view):
        username = request.data.get("username") if hasattr(request.data, "get") else None
        if not isinstance(username, str) or not username.strip():
            return None
        ident = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


def client_ip(request):
    """The client's address as the throttles see it (for django-axes too: AXES_CLIENT_IP_CALLABLE)."""
    return LoginRateThrottle().get_ident(request)


class TokenView(ObtainAuthToken):
    """POST {"username", "password"} → {"token"}. Failed attempts count towards the axes lockout."""

    throttle_classes = [LoginRateThrottle, LoginUsernameRateThrottle]

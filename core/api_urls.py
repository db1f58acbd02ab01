from django.urls import path
from rest_framework.routers import DefaultRouter

from .api_users import TokenView, UserViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("users", UserViewSet, basename="user")

urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token")] + router.urls

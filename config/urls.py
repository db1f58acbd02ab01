from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

api_v1 = [
    path("", include("core.api_urls")),
    path("", include("organizations.api.urls")),
    path("", include("members.api.urls")),
    path("", include("instructors.api.urls")),
    path("", include("activities.api.urls")),
    path("", include("reports.api.urls")),
]

# The admin carries the portal's name, not "Django 管理".
admin.site.site_header = _("Party Building Portal administration")
admin.site.site_title = _("Party Building Portal administration")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("core.urls")),
    path("organizations/", include("organizations.urls")),
    path("members/", include("members.urls")),
    path("instructors/", include("instructors.urls")),
    path("activities/", include("activities.urls")),
    path("reports/", include("reports.urls")),
]

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

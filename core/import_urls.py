from django.urls import path

from . import import_views

app_name = "imports"

urlpatterns = [
    path("", import_views.ImportUploadView.as_view(), name="upload"),
    path("confirm/", import_views.ImportConfirmView.as_view(), name="confirm"),
    path("jobs/<int:pk>/", import_views.ImportJobView.as_view(), name="job"),
    path("templates/<str:kind>.<str:fmt>", import_views.ImportTemplateView.as_view(), name="template"),
    path("<slug:kind>/", import_views.ImportUploadView.as_view(), name="kind"),
]

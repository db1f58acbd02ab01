from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("recompute/", views.RecomputeView.as_view(), name="recompute"),
    path("coverage/enterprises/", views.CoverageEnterpriseListView.as_view(), name="enterprises"),
]

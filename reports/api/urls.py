from django.urls import path
from rest_framework.routers import DefaultRouter

from . import report_views, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("reports/runs", report_views.ReportRunViewSet, basename="report-run")

urlpatterns = [
    path("statistics/coverage/", views.CoverageView.as_view(), name="statistics-coverage"),
    path("statistics/coverage/children/", views.CoverageChildrenView.as_view(), name="statistics-coverage-children"),
    path("statistics/coverage/enterprises/", views.CoverageEnterprisesView.as_view(),
         name="statistics-coverage-enterprises"),
    path("statistics/coverage/compute/", views.CoverageComputeView.as_view(), name="statistics-coverage-compute"),
    path("statistics/jobs/<int:pk>/", views.JobStatusView.as_view(), name="statistics-job"),
    path("reports/definitions/", report_views.ReportDefinitionsView.as_view(), name="report-definitions"),
    path("reports/approvals/", report_views.ApprovalsView.as_view(), name="report-approvals"),
    *router.urls,
]

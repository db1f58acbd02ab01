from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("statistics/", views.StatsHomeView.as_view(), name="stats_home"),
    path("recompute/", views.RecomputeView.as_view(), name="recompute"),
    path("recompute/trend/", views.RecomputeTrendView.as_view(), name="recompute_trend"),
    path("coverage/enterprises/", views.CoverageEnterpriseListView.as_view(), name="enterprises"),
    path("runs/", views.ReportRunListView.as_view(), name="run_list"),
    path("runs/new/", views.ReportRunRequestView.as_view(), name="run_request"),
    path("runs/<int:pk>/", views.ReportRunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/download/<str:fmt>/", views.ReportRunDownloadView.as_view(), name="run_download"),
    path("runs/<int:pk>/approval/<str:action>/", views.ReportRunApprovalView.as_view(), name="run_approval"),
    path("approvals/", views.ApprovalsPageView.as_view(), name="approvals"),
    path("approvals/inbox/", views.ApprovalInboxView.as_view(), name="approval_inbox"),
    path("units/<str:code>/", views.ReportingUnitEditView.as_view(), name="reporting_unit"),
]

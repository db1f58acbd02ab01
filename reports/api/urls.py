from django.urls import path

from . import views

urlpatterns = [
    path("statistics/coverage/", views.CoverageView.as_view(), name="statistics-coverage"),
    path("statistics/coverage/children/", views.CoverageChildrenView.as_view(), name="statistics-coverage-children"),
    path("statistics/coverage/enterprises/", views.CoverageEnterprisesView.as_view(),
         name="statistics-coverage-enterprises"),
    path("statistics/coverage/compute/", views.CoverageComputeView.as_view(), name="statistics-coverage-compute"),
    path("statistics/jobs/<int:pk>/", views.JobStatusView.as_view(), name="statistics-job"),
]

from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("imports/", include("core.import_urls")),
    path("", include(([
        path("jobs/", views.JobListView.as_view(), name="job_list"),
        path("jobs/<int:pk>/", views.JobDetailView.as_view(), name="job_detail"),
        path("jobs/<int:pk>/progress/", views.JobProgressView.as_view(), name="job_progress"),
        path("jobs/<int:pk>/file/", views.JobFileView.as_view(), name="job_file"),

        path("pick/<str:key>/", views.PickerSearchView.as_view(), name="pick"),
    ], "core"))),
]

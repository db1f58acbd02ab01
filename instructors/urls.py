from django.urls import path

from . import views

app_name = "instructors"

urlpatterns = [
    path("", views.InstructorListView.as_view(), name="instructor_list"),
    path("home/", views.InstructorHomeView.as_view(), name="home"),
    path("add/", views.InstructorEditView.as_view(), name="instructor_create"),
    path("<int:pk>/", views.InstructorDetailView.as_view(), name="instructor_detail"),
    path("<int:pk>/edit/", views.InstructorEditView.as_view(), name="instructor_edit"),
    path("<int:pk>/assess/", views.InstructorAssessView.as_view(), name="instructor_assess"),
    path("<int:pk>/history/", views.InstructorHistoryView.as_view(), name="instructor_history"),
    path("assignments/", views.AssignmentListView.as_view(), name="assignment_list"),
    path("assignments/add/", views.AssignmentEditView.as_view(), name="assignment_create"),
    path("assignments/bulk/", views.BulkAssignView.as_view(), name="assignment_bulk"),
    path("assignments/<int:pk>/", views.AssignmentDetailView.as_view(), name="assignment_detail"),
    path("assignments/<int:pk>/edit/", views.AssignmentEditView.as_view(), name="assignment_edit"),
    path("assignments/<int:assignment_pk>/targets/add/", views.TargetCreateView.as_view(), name="target_create"),
    path("assignments/<int:pk>/history/", views.AssignmentHistoryView.as_view(), name="assignment_history"),
    path("visits/add/", views.VisitCreateView.as_view(), name="visit_create"),
    path("meetings/", views.MeetingListView.as_view(), name="meeting_list"),
    path("meetings/add/", views.MeetingEditView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.MeetingEditView.as_view(), name="meeting_edit"),
    path("meetings/<int:pk>/history/", views.MeetingHistoryView.as_view(), name="meeting_history"),
    path("trainings/", views.TrainingListView.as_view(), name="training_list"),
    path("trainings/add/", views.TrainingEditView.as_view(), name="training_create"),
    path("trainings/<int:pk>/", views.TrainingDetailView.as_view(), name="training_detail"),
    path("trainings/<int:pk>/edit/", views.TrainingEditView.as_view(), name="training_edit"),
    path("trainings/<int:pk>/history/", views.TrainingHistoryView.as_view(), name="training_history"),
    path("sites/", views.DemonstrationSiteListView.as_view(), name="site_list"),
    path("sites/add/", views.DemonstrationSiteEditView.as_view(), name="site_create"),
    path("sites/<int:pk>/", views.DemonstrationSiteDetailView.as_view(), name="site_detail"),
    path("sites/<int:pk>/edit/", views.DemonstrationSiteEditView.as_view(), name="site_edit"),
    path("sites/<int:pk>/history/", views.DemonstrationSiteHistoryView.as_view(), name="site_history"),
]

from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.ActivityHomeView.as_view(), name="home"),
    path("records/", views.ActivityRecordListView.as_view(), name="record_list"),
    path("records/quick/", views.QuickFilingView.as_view(), name="record_quick"),
    path("manifest.webmanifest", views.ManifestView.as_view(), name="manifest"),
    path("sw.js", views.ServiceWorkerView.as_view(), name="service_worker"),
    path("records/add/", views.ActivityRecordEditView.as_view(), name="record_create"),
    path("records/<int:pk>/", views.ActivityRecordDetailView.as_view(), name="record_detail"),
    path("records/<int:pk>/edit/", views.ActivityRecordEditView.as_view(), name="record_edit"),
    path("records/<int:pk>/history/", views.ActivityRecordHistoryView.as_view(), name="record_history"),
    path("records/<int:pk>/submit/", views.SubmitView.as_view(), name="record_submit"),
    path("records/<int:pk>/accept/", views.AcceptView.as_view(), name="record_accept"),
    path("records/<int:pk>/return/", views.ReturnView.as_view(), name="record_return"),
    path("records/<int:pk>/attachments/", views.AttachmentUploadView.as_view(), name="attachment_upload"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("suggestions/", views.SuggestionListView.as_view(), name="suggestion_list"),
    path("suggestions/add/", views.SuggestionEditView.as_view(), name="suggestion_create"),
    path("suggestions/<int:pk>/edit/", views.SuggestionEditView.as_view(), name="suggestion_edit"),
    path("checklists/", views.ChecklistResultListView.as_view(), name="checklist_result_list"),
    path("checklists/add/", views.ChecklistResultEditView.as_view(), name="checklist_result_create"),
    path("checklists/<int:pk>/edit/", views.ChecklistResultEditView.as_view(), name="checklist_result_edit"),
    path("assessments/", views.AssessmentResultListView.as_view(), name="assessment_result_list"),
    path("assessments/add/", views.AssessmentResultEditView.as_view(), name="assessment_result_create"),
    path("assessments/<int:pk>/edit/", views.AssessmentResultEditView.as_view(), name="assessment_result_edit"),
]

from django.urls import path

from django.views.generic import RedirectView

from . import views

app_name = "members"

urlpatterns = [
    path("", views.MemberListView.as_view(), name="member_list"),
    path("add/", views.MemberEditView.as_view(), name="member_create"),
    path("import/", RedirectView.as_view(url="/imports/members/"), name="member_import"),
    path("<int:pk>/", views.MemberDetailView.as_view(), name="member_detail"),
    path("<int:pk>/edit/", views.MemberEditView.as_view(), name="member_edit"),
    path("<int:pk>/history/", views.MemberHistoryView.as_view(), name="member_history"),
    path("<int:pk>/events/add/", views.MemberEventView.as_view(), name="member_event"),
    path("<int:pk>/transfer/", views.TransferIssueView.as_view(), name="transfer_issue"),
    path("<int:pk>/floating/", views.FloatingOutView.as_view(), name="floating_out"),
    path("<int:pk>/dues/", views.PaymentView.as_view(), name="dues_pay"),
    path("<int:pk>/income/", views.IncomeBaseView.as_view(), name="income_add"),
    path("transfers/", views.TransferListView.as_view(), name="transfer_list"),
    path("transfers/<int:pk>/", views.TransferDetailView.as_view(), name="transfer_detail"),
    path("transfers/<int:pk>/letter/", views.TransferPrintView.as_view(), name="transfer_letter"),
    path("transfers/<int:pk>/receive/", views.TransferReceiveView.as_view(), name="transfer_receive"),
    path("transfers/<int:pk>/withdraw/", views.TransferWithdrawView.as_view(), name="transfer_withdraw"),
    path("transfers/<int:pk>/history/", views.TransferHistoryView.as_view(), name="transfer_history"),
    path("floating/", views.FloatingListView.as_view(), name="floating_list"),
    path("floating/<int:pk>/", views.FloatingDetailView.as_view(), name="floating_detail"),
    path("floating/<int:pk>/return/", views.FloatingReturnView.as_view(), name="floating_return"),
    path("floating/<int:pk>/history/", views.FloatingHistoryView.as_view(), name="floating_history"),
    path("dues/", views.PaymentListView.as_view(), name="dues_list"),
    path("dues/arrears/", views.ArrearsView.as_view(), name="arrears"),
    path("dues/totals/", views.DuesTotalsView.as_view(), name="dues_totals"),
    path("dues/bands/", views.DuesBandView.as_view(), name="dues_bands"),
    path("balance/", views.BalanceView.as_view(), name="balance"),
    path("applicants/", views.ApplicantListView.as_view(), name="applicant_list"),
    path("applicants/add/", views.ApplicantEditView.as_view(), name="applicant_create"),
    path("applicants/<int:pk>/", views.ApplicantDetailView.as_view(), name="applicant_detail"),
    path("applicants/<int:pk>/edit/", views.ApplicantEditView.as_view(), name="applicant_edit"),
    path("applicants/<int:pk>/history/", views.ApplicantHistoryView.as_view(), name="applicant_history"),
    path("applicants/<int:pk>/advance/", views.ApplicantAdvanceView.as_view(), name="applicant_advance"),
    path("applicants/<int:pk>/assess/", views.ApplicantAssessView.as_view(), name="applicant_assess"),
    path("applicants/<int:pk>/stop/", views.ApplicantStopView.as_view(), name="applicant_stop"),
    path("reminders/", views.RemindersView.as_view(), name="reminders"),
]

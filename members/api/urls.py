from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("members", views.MemberViewSet, basename="member")
router.register("transfers", views.TransferViewSet, basename="transfer")
router.register("floating-records", views.FloatingRecordViewSet, basename="floating-record")
router.register("dues-payments", views.DuesPaymentViewSet, basename="dues-payment")
router.register("income-bases", views.IncomeBaseViewSet, basename="income-base")
router.register("applicants", views.ApplicantViewSet, basename="applicant")

urlpatterns = router.urls

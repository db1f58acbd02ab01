from django.urls import path, re_path

from . import views

app_name = "organizations"

urlpatterns = [
    path("regions/", views.RegionListView.as_view(), name="region_list"),
    path("regions/add/", views.RegionEditView.as_view(), name="region_create"),
    path("regions/<int:pk>/", views.RegionDetailView.as_view(), name="region_detail"),
    path("regions/<int:pk>/edit/", views.RegionEditView.as_view(), name="region_edit"),
    path("regions/<int:pk>/history/", views.RegionHistoryView.as_view(), name="region_history"),
    re_path(r"^regions/(?P<pk>[0-9]+)/change/(?P<kind>move|rename|merge|close)/$", views.RegionChangeView.as_view(),
            name="region_change"),
    path("enterprises/", views.EnterpriseListView.as_view(), name="enterprise_list"),
    path("enterprises/add/", views.EnterpriseEditView.as_view(), name="enterprise_create"),
    path("enterprises/<int:pk>/", views.EnterpriseDetailView.as_view(), name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.EnterpriseEditView.as_view(), name="enterprise_edit"),
    path("enterprises/<int:pk>/history/", views.EnterpriseHistoryView.as_view(), name="enterprise_history"),
    path("enterprises/<int:pk>/close/", views.EnterpriseCloseView.as_view(), name="enterprise_close"),
    path("", views.PartyOrganizationListView.as_view(), name="organization_list"),
    path("add/", views.PartyOrganizationEditView.as_view(), name="organization_create"),
    path("<int:pk>/", views.PartyOrganizationDetailView.as_view(), name="organization_detail"),
    path("<int:pk>/edit/", views.PartyOrganizationEditView.as_view(), name="organization_edit"),
    path("<int:pk>/history/", views.PartyOrganizationHistoryView.as_view(), name="organization_history"),
    path("<int:pk>/links/add/", views.CoverageLinkCreateView.as_view(), name="coverage_link_create"),
    path("<int:pk>/elections/add/", views.ElectionCreateView.as_view(), name="election_create"),
    path("links/", views.CoverageLinkListView.as_view(), name="coverage_link_list"),
    path("warnings/", views.WarningsView.as_view(), name="warnings"),
    path("links/<int:pk>/end/", views.CoverageLinkEndView.as_view(), name="coverage_link_end"),
]

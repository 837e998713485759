from django.urls import path

from . import views

app_name = "oversight"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/units/", views.campaign_units, name="campaign_units"),
    path("campaigns/<int:pk>/units/<int:unit_pk>/", views.campaign_unit_excuse, name="campaign_unit_excuse"),
    path("campaigns/<int:pk>/remind/", views.campaign_remind, name="campaign_remind"),
    path("campaigns/<int:pk>/remind/preview/", views.campaign_remind_preview, name="campaign_remind_preview"),
    path("campaigns/<int:pk>/export.xlsx", views.campaign_export, name="campaign_export"),
    path("districts/", views.compare, name="compare"),
    path("districts/export.xlsx", views.compare_export, name="compare_export"),
    path("district-setting/", views.district_setting, name="district_setting"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/report.xlsx", views.statistics_export, name="statistics_export"),
    path("statistics/submit/", views.department_report_submit, name="department_report_submit"),
    path("final-accounts/", views.final_accounts, name="final_accounts"),
    path("samples/", views.sample_list, name="sample_list"),
    path("samples/<int:pk>/", views.sample_detail, name="sample_detail"),
    path("samples/<int:pk>/items/<int:item_pk>/", views.sample_item_record, name="sample_item_record"),
    path("samples/<int:pk>/export.xlsx", views.sample_export, name="sample_export"),
]

from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("accounts/login/certificate/", views.sign_in, name="signin"),
    path("console/ca/", views.certificate_list, name="list"),
    path("console/ca/presented/", views.certificate_bind_presented, name="bind_presented"),
    path("console/ca/<int:pk>/unbind/", views.unbind, name="unbind"),
    path("console/ca/staff/", views.staff_list, name="staff"),
]

from django.urls import path

from .views import public

app_name = "public"

urlpatterns = [
    path("", public.notice_list, name="home"),
    path("notices/", public.notice_list, name="list"),
]

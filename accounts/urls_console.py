from django.urls import path

from .views import auth

# Staff management (员工管理) adds its routes here under /console/staff/.
urlpatterns = [
    path("", auth.console_home, name="console"),
]

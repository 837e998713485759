from django.urls import path

from .views import flows

# 流程管理 (系统管理): the review steps of the user's institution, or of their district's finance bureau.
urlpatterns = [path("flows/", flows.flow_manage, name="flows")]

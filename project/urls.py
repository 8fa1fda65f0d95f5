from django.contrib import admin
from django.urls import path

from annotations.labelstudio.webhooks import webhook

urlpatterns = [
    path("admin/", admin.site.urls),
    path("labelstudio/webhook/", webhook, name="labelstudio-webhook"),
]

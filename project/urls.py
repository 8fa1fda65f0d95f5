from django.contrib import admin
from django.urls import include, path

from annotations import health
from annotations.admin.dashboard import dashboard_view
from annotations.labelstudio import ml_backend
from annotations.labelstudio.webhooks import webhook

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/dashboard/", admin.site.admin_view(dashboard_view), name="dashboard"),
    path("admin/", admin.site.urls),
    path("api/", include("annotations.api.urls")),
    path("labelstudio/webhook/", webhook, name="labelstudio-webhook"),
    path("ml/health", ml_backend.health, name="ml-health"),
    path("ml/setup", ml_backend.setup, name="ml-setup"),
    path("ml/predict", ml_backend.predict, name="ml-predict"),
    path("ml/webhook", ml_backend.training, name="ml-webhook"),
    path("ml/train", ml_backend.training, name="ml-train"),
]

handler400 = "annotations.api.errors.bad_request"
handler404 = "annotations.api.errors.not_found"
handler500 = "annotations.api.errors.server_error"

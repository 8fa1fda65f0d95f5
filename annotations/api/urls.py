from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from annotations.api import views

app_name = "api"

router = DefaultRouter()
router.register("collections", views.CollectionViewSet, basename="collection")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("annotations", views.AnnotationViewSet, basename="annotation")
router.register("speakers", views.SpeakerViewSet, basename="speaker")
router.register("exports", views.ExportViewSet, basename="export")
router.register("models", views.ModelViewSet, basename="model")
router.register("jobs", views.JobViewSet, basename="job")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]

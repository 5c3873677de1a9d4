from rest_framework.routers import DefaultRouter

from edureg.core.api.views import ClassifierViewSet

router = DefaultRouter(trailing_slash=True)
router.register("classifiers", ClassifierViewSet, basename="classifier")
urlpatterns = router.urls

from rest_framework.routers import DefaultRouter

from edureg.institutions.api.views import InstitutionViewSet, MunicipalityViewSet

router = DefaultRouter(trailing_slash=True)
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("municipalities", MunicipalityViewSet, basename="municipality")
urlpatterns = router.urls

from rest_framework.routers import DefaultRouter

from edureg.people.api.views import PersonViewSet

router = DefaultRouter(trailing_slash=True)
router.register("persons", PersonViewSet, basename="person")
urlpatterns = router.urls

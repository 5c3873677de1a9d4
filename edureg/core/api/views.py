from django.db.models import Prefetch
from rest_framework import permissions, viewsets

from edureg.core.api.serializers import ClassifierSerializer
from edureg.core.models import Classifier, ClassifierValue


class ClassifierViewSet(viewsets.ReadOnlyModelViewSet):
    """Classifiers (code lists) with their values; public reference data."""

    serializer_class = ClassifierSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"

    def get_queryset(self):
        return Classifier.objects.prefetch_related(
            Prefetch("values", queryset=ClassifierValue.objects.select_related("parent"))
        )

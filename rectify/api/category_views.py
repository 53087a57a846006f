"""Problem categories (问题类别) in the API: the tree of a round, numbered."""

from __future__ import annotations

from rectify.api.category_serializers import CategoryCreateSerializer, CategorySerializer
from rectify.api.record_viewset import RecordViewSet, TreeNumbersMixin, documented
from rectify.models import ProblemCategory
from rectify.services import filtersets as filters


@documented(CategorySerializer, CategoryCreateSerializer)
class CategoryViewSet(TreeNumbersMixin, RecordViewSet):
    """Problem categories (问题类别): the tree of a round, numbered."""

    queryset = ProblemCategory.objects.all()
    serializer_class = CategorySerializer
    create_serializer_class = CategoryCreateSerializer
    filterset_class = filters.CategoryFilterSet
    ordering_fields = ["position", "id", "updated_at"]
    tree_rows = "categories"

    def base_queryset(self):
        return ProblemCategory.objects.order_by("round_id", "parent_id", "position", "pk")

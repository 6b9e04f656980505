"""The place tree: District → Subdistrict → Community → Estate → Building, and the Flats in a
building. Every record in Gongzhi hangs on a place, and every permission is "post P held at place
X and everything under it".

Places above the flat share one table so that "X and everything under it" is one indexed prefix
query on ``path`` (a materialized path of ids, e.g. ``/1/4/17/``). Flats are their own table:
they are by far the most numerous rows and carry the owners and the area used in votes.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceKind(models.TextChoices):
    DISTRICT = "district", _("区（县级市）")
    SUBDISTRICT = "subdistrict", _("街道（乡镇）")
    COMMUNITY = "community", _("社区")
    ESTATE = "estate", _("小区")
    BUILDING = "building", _("楼栋")


# Which kind of place may sit under which.
CHILD_KIND = {
    PlaceKind.DISTRICT: PlaceKind.SUBDISTRICT,
    PlaceKind.SUBDISTRICT: PlaceKind.COMMUNITY,
    PlaceKind.COMMUNITY: PlaceKind.ESTATE,
    PlaceKind.ESTATE: PlaceKind.BUILDING,
}
PARENT_KIND = {child: parent for parent, child in CHILD_KIND.items()}


class SubdistrictKind(models.TextChoices):
    STREET = "street", _("街道")
    TOWN = "town", _("乡镇")


class EstateKind(models.TextChoices):
    COMMODITY = "commodity", _("商品房小区")
    OLD = "old", _("老旧小区")
    RESETTLEMENT = "resettlement", _("安置小区")
    OPEN = "open", _("开放式小区")


class PlaceQuerySet(models.QuerySet):
    def of_kind(self, kind: str) -> "PlaceQuerySet":
        return self.filter(kind=kind)

    def within(self, place: "Place") -> "PlaceQuerySet":
        """The place itself and everything under it."""
        return self.filter(path__startswith=place.path)

    def active(self) -> "PlaceQuerySet":
        return self.filter(is_active=True)


class Place(models.Model):
    kind = models.CharField(_("类型"), max_length=16, choices=PlaceKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级")
    )
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=32, blank=True, help_text=_("统计用区划代码或自编编码（可选）"))
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    # Subdistrict only.
    subdistrict_kind = models.CharField(_("街道/乡镇"), max_length=16, choices=SubdistrictKind.choices, blank=True)
    # Estate only.
    estate_kind = models.CharField(_("小区类型"), max_length=16, choices=EstateKind.choices, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    theme = models.CharField(_("治理主题"), max_length=100, blank=True, help_text=_("一区一策一主题"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="place_unique_name_under_parent"),
        ]
        indexes = [models.Index(fields=["kind", "path"], name="place_kind_path")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected_parent = PARENT_KIND.get(self.kind)
        if expected_parent is None and self.parent_id:
            raise ValidationError(_("区（县级市）没有上级地点"))
        if self.parent_id and self.parent.kind != expected_parent:
            raise ValidationError(
                _("“%(kind)s”的上级必须是“%(parent)s”")
                % {"kind": self.get_kind_display(), "parent": PlaceKind(expected_parent).label}
            )

    def is_within(self, other: "Place") -> bool:
        return self.path.startswith(other.path)

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestor(self, kind: str) -> "Place | None":
        if self.kind == kind:
            return self
        return Place.objects.filter(id__in=self.ancestor_ids(), kind=kind).first()

    @property
    def label_path(self) -> str:
        names = dict(Place.objects.filter(id__in=self.ancestor_ids()).values_list("id", "name"))
        return " / ".join(names[i] for i in self.ancestor_ids() if i in names)


class Grid(models.Model):
    """网格: a set of buildings in one community, looked after by a grid worker."""

    community = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"kind": PlaceKind.COMMUNITY},
        verbose_name=_("社区"),
    )
    name = models.CharField(_("网格名称"), max_length=100)
    buildings = models.ManyToManyField(
        Place,
        related_name="grids_of_building",
        blank=True,
        limit_choices_to={"kind": PlaceKind.BUILDING},
        verbose_name=_("楼栋"),
    )

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="grid_unique_name")]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    # Delivery matters to vote counting: unsold or undelivered flats of the developer count as
    # one owner together (SPC interpretation on building ownership, art. 9).
    DELIVERED = "delivered", _("已交付")
    SOLD_UNDELIVERED = "sold_undelivered", _("已售未交付")
    UNSOLD = "unsold", _("未售")


class AreaSource(models.TextChoices):
    # SPC interpretation on building ownership, art. 8: registered area first, then surveyed,
    # then contract area.
    REGISTERED = "registered", _("登记面积")
    SURVEYED = "surveyed", _("测绘面积")
    CONTRACT = "contract", _("合同面积")


class Flat(models.Model):
    building = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="flats",
        limit_choices_to={"kind": PlaceKind.BUILDING},
        verbose_name=_("楼栋"),
    )
    # Denormalized from the building so that estate-wide counts and votes need no join.
    estate = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="estate_flats", editable=False, verbose_name=_("小区")
    )
    number = models.CharField(_("房号"), max_length=32)
    area_m2 = models.DecimalField(
        _("专有部分面积（㎡）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    area_source = models.CharField(
        _("面积来源"), max_length=16, choices=AreaSource.choices, default=AreaSource.REGISTERED
    )
    delivery_status = models.CharField(
        _("交付状态"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.DELIVERED
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        ordering = ["building_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="flat_unique_number_in_building"),
            models.CheckConstraint(condition=models.Q(area_m2__gt=0), name="flat_area_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.building.name}{self.number}"


class _KindManager(models.Manager):
    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def get_queryset(self) -> PlaceQuerySet:
        return PlaceQuerySet(self.model, using=self._db).filter(kind=self.kind)


class District(Place):
    objects = _KindManager(PlaceKind.DISTRICT)

    class Meta:
        proxy = True
        verbose_name = _("区")
        verbose_name_plural = _("区")


class Subdistrict(Place):
    objects = _KindManager(PlaceKind.SUBDISTRICT)

    class Meta:
        proxy = True
        verbose_name = _("街道")
        verbose_name_plural = _("街道")


class Community(Place):
    objects = _KindManager(PlaceKind.COMMUNITY)

    class Meta:
        proxy = True
        verbose_name = _("社区")
        verbose_name_plural = _("社区")


class Estate(Place):
    objects = _KindManager(PlaceKind.ESTATE)

    class Meta:
        proxy = True
        verbose_name = _("小区")
        verbose_name_plural = _("小区")


class Building(Place):
    objects = _KindManager(PlaceKind.BUILDING)

    class Meta:
        proxy = True
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")

"""People, their accounts and their posts; owners and residents of flats; working party members
checking in to their home estate."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.posts import PostKind
from gongzhi.core.masking import mask_id_number, mask_phone, validate_id_number, validate_mobile
from gongzhi.orgs.models import Organization
from gongzhi.places.models import Flat, Grid, Place


class User(AbstractUser):
    """A login. The person behind it (name, phone, posts, flats) is ``user.person``."""

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")


class Person(models.Model):
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="person", verbose_name=_("账号")
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=11, blank=True, validators=[validate_mobile], db_index=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    is_party_member = models.BooleanField(_("党员"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # Where staff registered the person (a community or an estate). Keeps a newly registered
    # person visible to the staff of that place before any post or flat links them to it.
    registered_at = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_persons",
        verbose_name=_("登记地点"),
    )
    # Set when a resident asks for their account to be removed: the cases they reported stay,
    # with the person anonymized.
    anonymized_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class AppointmentQuerySet(models.QuerySet):
    def current(self, on) -> "AppointmentQuerySet":
        """Held on day ``on``: started on or before it, and not yet ended (the end date is the
        first day without the post, so access ends the day the appointment ends)."""
        return self.filter(starts_on__lte=on).filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gt=on))


class Appointment(models.Model):
    """任职: a person holds a post in an organization, or at a place, from a date to a date."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("人员"))
    post = models.CharField(_("职务"), max_length=32, choices=PostKind.choices, db_index=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("组织"),
    )
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments", verbose_name=_("地点")
    )
    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments", verbose_name=_("网格")
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gt=models.F("starts_on")),
                name="appointment_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["post", "organization"], name="appointment_post_org")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_post_display()}"

    def is_current(self, on) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on > on)


class Ownership(models.Model):
    """A person owns a flat (alone or jointly with others) from a date; ``ends_on`` set when sold."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="ownerships", verbose_name=_("业主"))
    flat = models.ForeignKey(Flat, on_delete=models.PROTECT, related_name="ownerships", verbose_name=_("房屋"))
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("产权")
        verbose_name_plural = _("产权")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "flat"], condition=models.Q(ends_on__isnull=True), name="ownership_unique_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.flat}"


class ResidenceRole(models.TextChoices):
    FAMILY = "family", _("家庭成员")
    TENANT = "tenant", _("租户")


class Residence(models.Model):
    """A person who lives in a flat without owning it (a family member, a tenant)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="residences", verbose_name=_("居民"))
    flat = models.ForeignKey(Flat, on_delete=models.PROTECT, related_name="residences", verbose_name=_("房屋"))
    role = models.CharField(_("关系"), max_length=16, choices=ResidenceRole.choices, default=ResidenceRole.FAMILY)
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("居住")
        verbose_name_plural = _("居住")


class PartyCheckIn(models.Model):
    """在职党员到小区报到: a working party member registers to serve in the estate where they live."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="party_check_ins", verbose_name=_("党员"))
    estate = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="party_check_ins", verbose_name=_("小区"))
    workplace = models.CharField(_("工作单位"), max_length=100, blank=True)
    checked_in_on = models.DateField(_("报到日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("在职党员报到")
        verbose_name_plural = _("在职党员报到")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(ended_on__isnull=True), name="party_check_in_one_current"
            )
        ]

"""Forms of the case pages. They only parse input; the rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import INTAKE_CHANNELS, Category, Channel, Rating, Urgency
from gongzhi.places.models import Place

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files; each is checked by content in the service (``gongzhi.cases.photos``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "class": "form-control"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [d for d in data if d]
        return [data] if data else []


def _category_field():
    return forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True),
        label=_("类别"),
        required=False,
        empty_label=_("请选择（可不选）"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class ReportForm(forms.Form):
    estate = forms.ModelChoiceField(
        queryset=Place.objects.none(), label=_("小区"), widget=forms.Select(attrs={"class": "form-select"})
    )
    category = forms.ModelChoiceField(queryset=Category.objects.none(), label=_("类别"), required=False)
    description = forms.CharField(
        label=_("遇到了什么问题"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control", "placeholder": _("例如：3号楼电梯按钮失灵")}),
    )
    photos = PhotosField(label=_("照片（可拍照，最多6张）"))
    building = forms.ModelChoiceField(
        queryset=Place.objects.none(),
        label=_("楼栋（可不选）"),
        required=False,
        empty_label=_("不选"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6)
    is_anonymous = forms.BooleanField(
        label=_("匿名反映（办理人员看不到您的姓名和电话）"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates
        self.fields["category"] = _category_field()
        self.fields["building"].queryset = Place.objects.filter(kind="building", parent__in=estates).order_by(
            "parent_id", "name"
        )
        if len(estates) == 1:
            self.fields["estate"].initial = estates[0].pk
            self.fields["estate"].widget = forms.HiddenInput()


class IntakeForm(forms.Form):
    estate = forms.ModelChoiceField(
        queryset=Place.objects.none(), label=_("小区"), widget=forms.Select(attrs={"class": "form-select"})
    )
    channel = forms.ChoiceField(
        label=_("渠道"),
        choices=[(c.value, c.label) for c in INTAKE_CHANNELS],
        initial=Channel.HOTLINE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    category = forms.ModelChoiceField(queryset=Category.objects.none(), required=False)
    urgency = forms.ChoiceField(
        label=_("紧急程度"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    contact_name = forms.CharField(
        label=_("来电/来访人"), max_length=50, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    contact_phone = forms.CharField(
        label=_("联系电话"), max_length=20, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    description = forms.CharField(
        label=_("反映内容"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )
    address = forms.CharField(
        label=_("位置说明"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    photos = PhotosField(label=_("照片"))
    is_anonymous = forms.BooleanField(
        label=_("反映人要求匿名"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates
        self.fields["category"] = _category_field()


class ReviewForm(forms.Form):
    solved = forms.TypedChoiceField(
        label=_("问题解决了吗"),
        choices=[("yes", _("已解决")), ("no", _("未解决"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    rating = forms.ChoiceField(label=_("满意程度"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("评价内容"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    by_phone = forms.BooleanField(label=_("电话回访（代反映人填写）"), required=False)


class QueueFilterForm(forms.Form):
    estate = forms.ModelChoiceField(
        queryset=Place.objects.none(), required=False, label=_("小区"), empty_label=_("全部小区")
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, label=_("类别"), empty_label=_("全部类别")
    )
    state = forms.ChoiceField(required=False, label=_("状态"))
    date_from = forms.DateField(
        required=False, label=_("受理起"), widget=forms.DateInput(attrs={"type": "date", "title": _("受理起")})
    )
    date_to = forms.DateField(
        required=False, label=_("受理止"), widget=forms.DateInput(attrs={"type": "date", "title": _("受理止")})
    )
    q = forms.CharField(
        required=False,
        max_length=50,
        label=_("搜索"),
        widget=forms.TextInput(attrs={"placeholder": _("搜索编号、标题或内容"), "type": "search"}),
    )
    on_agenda = forms.BooleanField(required=False, label=_("列入议事"))

    def __init__(self, *args, estates, **kwargs):
        from gongzhi.cases.models import CaseState

        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates
        self.fields["category"].queryset = Category.objects.all()
        self.fields["state"].choices = [("", _("全部状态")), *CaseState.choices]
        for name, field in self.fields.items():
            if name == "on_agenda":
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            else:
                field.widget.attrs["class"] = "form-control form-control-sm"

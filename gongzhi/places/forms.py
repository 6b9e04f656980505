from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.places.models import AreaSource, DeliveryStatus, EstateKind, PlaceKind, SubdistrictKind


class StyledForm(forms.Form):
    """Adds Bootstrap classes to every widget and tells the shared field template how to lay
    each one out (``gz_kind``: checkbox, multi or plain). Other apps' forms use it too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self):
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.gz_kind = "multi"
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.CheckboxInput):
                widget.gz_kind = "checkbox"
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.gz_kind = "plain"
                widget.attrs["class"] = "form-select"
            else:
                widget.gz_kind = "plain"
                widget.attrs["class"] = "form-control"


class PlaceForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    subdistrict_kind = forms.ChoiceField(label=_("街道/乡镇"), choices=SubdistrictKind.choices, required=False)
    estate_kind = forms.ChoiceField(label=_("小区类型"), choices=[("", "—")] + list(EstateKind.choices), required=False)
    code = forms.CharField(
        label=_("编码"), max_length=32, required=False, help_text=_("统计用区划代码或自编编码（可选）")
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    theme = forms.CharField(label=_("治理主题"), max_length=100, required=False, help_text=_("一区一策一主题"))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != PlaceKind.SUBDISTRICT:
            del self.fields["subdistrict_kind"]
        if kind != PlaceKind.ESTATE:
            del self.fields["estate_kind"]
            del self.fields["theme"]
        if kind == PlaceKind.BUILDING:
            del self.fields["address"]


class FlatForm(StyledForm):
    number = forms.CharField(label=_("房号"), max_length=32)
    # Text, not a number field: the service checks it and says what is wrong in one message.
    area_m2 = forms.CharField(label=_("专有部分面积（㎡）"), max_length=20)
    area_source = forms.ChoiceField(label=_("面积来源"), choices=AreaSource.choices, initial=AreaSource.REGISTERED)
    delivery_status = forms.ChoiceField(
        label=_("交付状态"), choices=DeliveryStatus.choices, initial=DeliveryStatus.DELIVERED
    )


class GridForm(StyledForm):
    name = forms.CharField(label=_("网格名称"), max_length=100)
    buildings = forms.ModelMultipleChoiceField(
        label=_("楼栋"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buildings"].queryset = buildings
        self.fields["buildings"].label_from_instance = lambda b: f"{b.parent.name} {b.name}"


class ImportForm(StyledForm):
    MAX_BYTES = 20 * 1024 * 1024

    workbook = forms.FileField(
        label=_("Excel 工作簿（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 .xlsx 格式的 Excel 工作簿"))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("文件不能超过20MB"))
        return upload

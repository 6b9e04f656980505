from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.posts import PostKind
from gongzhi.orgs.forms import DateInput
from gongzhi.places.forms import StyledForm


class PersonForm(StyledForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    is_party_member = forms.BooleanField(label=_("党员"), required=False)
    registered_at = forms.ModelChoiceField(label=_("登记地点"), queryset=None, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registered_at"].queryset = places
        self.fields["registered_at"].empty_label = _("选择登记地点")
        self.fields["registered_at"].label_from_instance = lambda p: f"{p.get_kind_display()} · {p.name}"


class AppointmentForm(StyledForm):
    post = forms.ChoiceField(label=_("职务"), choices=PostKind.choices)
    organization = forms.ModelChoiceField(
        label=_("组织"), queryset=None, required=False, help_text=_("书记、委员、主任、物业人员等在组织中任职")
    )
    place = forms.ModelChoiceField(
        label=_("地点"), queryset=None, required=False, help_text=_("楼栋长、义务监督员、党建指导员等在地点任职")
    )
    grid = forms.ModelChoiceField(label=_("网格"), queryset=None, required=False, help_text=_("网格员"))
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("结束日期"), required=False, widget=DateInput(), help_text=_("卸任当天起不再有该职务权限；长期留空")
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, organizations, places, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["organization"].label_from_instance = lambda o: f"{o.name}（{o.get_kind_display()}）"
        self.fields["place"].queryset = places
        self.fields["place"].label_from_instance = lambda p: f"{p.get_kind_display()} · {p.label_path}"
        self.fields["grid"].queryset = grids
        self.fields["grid"].label_from_instance = lambda g: f"{g.community.name} · {g.name}"


class OwnershipForm(StyledForm):
    building = forms.ModelChoiceField(label=_("楼栋"), queryset=None)
    number = forms.CharField(label=_("房号"), max_length=32)
    starts_on = forms.DateField(label=_("取得日期"), required=False, widget=DateInput())

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["building"].empty_label = _("选择楼栋")
        self.fields["building"].label_from_instance = lambda b: f"{b.parent.name} {b.name}"


class CheckInForm(StyledForm):
    estate = forms.ModelChoiceField(label=_("报到小区"), queryset=None, help_text=_("只能到本人居住的小区报到"))
    workplace = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    checked_in_on = forms.DateField(label=_("报到日期"), widget=DateInput())

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates


class EndForm(StyledForm):
    on = forms.DateField(label=_("结束日期"), widget=DateInput())

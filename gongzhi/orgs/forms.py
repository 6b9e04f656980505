from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.orgs.models import BranchType, CompanyOwnership, DepartmentKind, OrgKind
from gongzhi.orgs.services import KIND_FIELDS
from gongzhi.places.forms import StyledForm


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganizationForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=120)
    place = forms.ModelChoiceField(label=_("所在地点"), queryset=None)
    branch_type = forms.ChoiceField(label=_("支部类型"), choices=BranchType.choices, initial=BranchType.REGULAR)
    covered_places = forms.ModelMultipleChoiceField(
        label=_("覆盖小区"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("联合党支部可覆盖多个小区；不选则只覆盖所在小区"),
    )
    has_party_org = forms.BooleanField(label=_("建有党组织"), required=False)
    ownership = forms.ChoiceField(label=_("企业性质"), choices=CompanyOwnership.choices, required=False)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    department_kind = forms.ChoiceField(label=_("部门类别"), choices=DepartmentKind.choices, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DateInput())

    def __init__(self, *args, kind: str, places, estates, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        self.fields["place"].label_from_instance = lambda p: f"{p.get_kind_display()} · {p.name}"
        self.fields["place"].empty_label = _("选择地点")
        self.fields["covered_places"].queryset = estates
        self.fields["covered_places"].label_from_instance = lambda p: p.name
        for name, kinds in KIND_FIELDS.items():
            if kind not in kinds:
                del self.fields[name]
        if kind != OrgKind.PARTY_BRANCH:
            del self.fields["covered_places"]
        if editing:
            del self.fields["place"]

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in {"name", "place", "covered_places"}}


class ContractForm(StyledForm):
    company = forms.ModelChoiceField(label=_("物业服务企业"), queryset=None)
    estate = forms.ModelChoiceField(label=_("小区"), queryset=None)
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("结束日期"), required=False, widget=DateInput(), help_text=_("最后服务日；长期合同留空")
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, companies, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        self.fields["company"].empty_label = _("选择物业服务企业")
        self.fields["estate"].queryset = estates
        self.fields["estate"].empty_label = _("选择小区")


class DateForm(StyledForm):
    on = forms.DateField(label=_("日期"), widget=DateInput())

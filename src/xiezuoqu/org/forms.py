from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from .models import DeclaredRelationship, StaffMember, Unit, Village, Zone


class DateInput(forms.DateInput):
    input_type = "date"


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["kind", "name", "short_name", "parent", "township_type", "sort_order", "is_active"]


class ZoneForm(forms.ModelForm):
    class Meta:
        model = Zone
        fields = ["number", "name", "leader", "inspection_office", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class StaffForm(forms.ModelForm):
    skills = forms.MultipleChoiceField(
        label="专长", choices=StaffMember.Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = StaffMember
        fields = [
            "name",
            "gender",
            "birth_year",
            "home_unit",
            "position",
            "experience",
            "skills",
            "capacity",
            "hometown",
            "is_active",
        ]


class MembershipForm(forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none())
    start_date = forms.DateField(label="加入日期", widget=DateInput)


class EndDateForm(forms.Form):
    end_date = forms.DateField(label="日期", widget=DateInput)


class DeputyForm(forms.Form):
    staff = forms.ModelChoiceField(label="副组长", queryset=StaffMember.objects.none())
    start_date = forms.DateField(label="任职日期", widget=DateInput)


class RelationshipForm(forms.ModelForm):
    class Meta:
        model = DeclaredRelationship
        fields = [
            "kind",
            "kinship",
            "person_name",
            "person_unit",
            "related_unit",
            "related_village",
            "start_date",
            "end_date",
            "declared_on",
            "note",
        ]
        widgets = {
            "start_date": DateInput,
            "end_date": DateInput,
            "declared_on": DateInput,
            "note": forms.Textarea(attrs={"rows": 2}),
        }


class MentoringForm(forms.Form):
    mentor = forms.ModelChoiceField(label="带教人", queryset=StaffMember.objects.none())
    mentee_one = forms.ModelChoiceField(label="学员一", queryset=StaffMember.objects.none())
    mentee_two = forms.ModelChoiceField(label="学员二", queryset=StaffMember.objects.none())
    start_date = forms.DateField(label="开始日期", widget=DateInput)


class VillageForm(forms.Form):
    name = forms.CharField(label="名称", max_length=60)
    kind = forms.ChoiceField(label="类别", choices=Village.Kind.choices)


class SupervisorForm(forms.Form):
    village = forms.ModelChoiceField(label="村（社区）", queryset=Village.objects.none())
    name = forms.CharField(label="姓名", max_length=30)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    start_date = forms.DateField(label="聘任日期", widget=DateInput)


def scope_choices(form: forms.BaseForm, **querysets: QuerySet) -> None:
    """Limit a form's choice fields to what the actor may see (the scope funnel applies to forms too)."""
    for name, qs in querysets.items():
        if name in form.fields:
            form.fields[name].queryset = qs  # type: ignore[attr-defined]

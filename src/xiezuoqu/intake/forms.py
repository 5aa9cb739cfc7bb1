"""Forms of the intake pages. They only parse input; the services check every rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from xiezuoqu.org.models import Unit, Village

from . import services
from .models import Category, Channel
from .workflow import State

DATE = forms.DateInput(attrs={"type": "date"})  # rendered ISO (xiezuoqu.formats): what <input type=date> reads


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.township.name} · {obj.name}"


class RegistrationForm(forms.Form):
    unit = forms.ModelChoiceField(label="登记单位", queryset=Unit.objects.none(), required=False)
    channel = forms.ChoiceField(label="来源渠道", choices=Channel.choices)
    received_on = forms.DateField(label="收件日期", widget=DATE)
    category = forms.ChoiceField(label="问题类别", choices=Category.choices)
    summary = forms.CharField(label="主要内容摘要", max_length=200)
    content = forms.CharField(label="反映内容", widget=forms.Textarea(attrs={"rows": 6}))
    township = forms.ModelChoiceField(label="问题所在乡镇（街道）", queryset=Unit.objects.none(), required=False)
    village = VillageChoiceField(label="问题所在村（社区）", queryset=Village.objects.none(), required=False)
    concerns_head = forms.BooleanField(
        label="反映本级纪委监委主要负责人",
        required=False,
        help_text="勾选后依规直接报送上一级纪检监察机关，本级主要负责人不可见。",
    )
    not_head_confirmed = forms.BooleanField(
        label=services.HEAD_CHECK_TICK,
        required=False,
        help_text="被反映人可能是本级主要负责人而无法确定时，须核实后二选一。",
    )
    is_real_name = forms.BooleanField(label="实名举报", required=False)
    identity_name = forms.CharField(label="举报人姓名", max_length=30, required=False)
    identity_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    identity_id_number = forms.CharField(label="身份证号码", max_length=18, required=False)
    identity_address = forms.CharField(label="通讯地址", max_length=200, required=False)
    identity_work_unit = forms.CharField(label="工作单位", max_length=100, required=False)

    def __init__(
        self, *args: Any, units: QuerySet[Unit], townships: QuerySet[Unit], villages: QuerySet[Village], **kw: Any
    ):
        kw.setdefault("initial", {}).setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kw)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if len(units) <= 1:
            self.fields["unit"].widget = forms.HiddenInput()
        self.fields["township"].queryset = townships  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages.select_related("township")  # type: ignore[attr-defined]

    IDENTITY_KEYS = ("identity_name", "identity_phone", "identity_id_number", "identity_address", "identity_work_unit")

    def report_input(self, accused: list[services.AccusedInput]) -> services.ReportInput:
        data = self.cleaned_data
        identity = None
        if data.get("is_real_name"):
            identity = services.IdentityInput(
                name=data.get("identity_name", ""),
                phone=data.get("identity_phone", ""),
                id_number=data.get("identity_id_number", ""),
                address=data.get("identity_address", ""),
                work_unit=data.get("identity_work_unit", ""),
            )
        return services.ReportInput(
            channel=data["channel"],
            received_on=data["received_on"],
            summary=data["summary"],
            content=data["content"],
            category=data["category"],
            township_id=data["township"].pk if data.get("township") else None,
            village_id=data["village"].pk if data.get("village") else None,
            is_real_name=bool(data.get("is_real_name")),
            identity=identity,
            accused=accused,
            concerns_head=bool(data.get("concerns_head")),
            not_head_confirmed=bool(data.get("not_head_confirmed")),
        )


class AccusedForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=30, required=False)
    unit_text = forms.CharField(label="单位", max_length=100, required=False)
    position = forms.CharField(label="职务", max_length=60, required=False)


AccusedFormSet = forms.formset_factory(AccusedForm, extra=3, max_num=20, validate_max=True)


def accused_inputs(formset: Any, township_id: int | None, village_id: int | None) -> list[services.AccusedInput]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not any(data.get(k) for k in ("name", "unit_text", "position")):
            continue
        rows.append(
            services.AccusedInput(
                name=data.get("name", ""),
                unit_text=data.get("unit_text", ""),
                position=data.get("position", ""),
                township_id=township_id,
                village_id=village_id,
            )
        )
    return rows


class ReceivedRegistrationForm(forms.Form):
    summary = forms.CharField(label="主要内容摘要", max_length=200)
    category = forms.ChoiceField(label="问题类别", choices=Category.choices)
    township = forms.ModelChoiceField(label="问题所在乡镇（街道）", queryset=Unit.objects.none(), required=False)
    village = VillageChoiceField(label="问题所在村（社区）", queryset=Village.objects.none(), required=False)
    concerns_head = forms.BooleanField(label="反映本级纪委监委主要负责人", required=False)
    not_head_confirmed = forms.BooleanField(
        label=services.HEAD_CHECK_TICK,
        required=False,
        help_text="被反映人可能是本级主要负责人而无法确定时，须核实后二选一。",
    )

    def __init__(self, *args: Any, townships: QuerySet[Unit], villages: QuerySet[Village], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["township"].queryset = townships  # type: ignore[attr-defined]
        self.fields["village"].queryset = villages.select_related("township")  # type: ignore[attr-defined]


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label="内容检索", required=False, max_length=100)
    state = forms.ChoiceField(label="办理状态", required=False, choices=[("", "全部"), *State.choices])
    channel = forms.ChoiceField(label="来源渠道", required=False, choices=[("", "全部"), *Channel.choices])
    category = forms.ChoiceField(label="问题类别", required=False, choices=[("", "全部"), *Category.choices])
    unit = forms.ModelChoiceField(label="单位", required=False, queryset=Unit.objects.none(), empty_label="全部")
    received_from = forms.DateField(label="收件日期自", required=False, widget=DATE)
    received_to = forms.DateField(label="至", required=False, widget=DATE)
    real_name = forms.ChoiceField(
        label="实名/匿名", required=False, choices=[("", "全部"), ("yes", "实名"), ("no", "匿名")]
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class VillageReportForm(forms.Form):
    accused_name = forms.CharField(label="反映对象姓名", max_length=30, required=False, help_text="不清楚可不填")
    accused_position = forms.CharField(label="反映对象职务", max_length=60, required=False, help_text="如：村委会主任")
    category = forms.ChoiceField(label="问题类别", choices=Category.choices)
    content = forms.CharField(
        label="发现的问题",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="写清时间、地点、人物、事情经过和涉及金额，知道的证据也请写上。",
    )


class LedgerFormatForm(forms.Form):
    unit = forms.ModelChoiceField(label="单位", queryset=Unit.objects.none())
    pattern = forms.CharField(
        label="编号格式",
        max_length=80,
        help_text="可用占位符：{commission} 纪委监委简称、{unit} 单位简称、{year} 年度、{seq} 序号（可写 {seq:03d}）。",
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

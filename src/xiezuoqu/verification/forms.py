"""The forms of the verification pages (Chinese labels); the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import EvidenceKind, Recommendation
from .rules import PRE_FILING, MeasureKind

PRE_FILING_CHOICES = [(value, label) for value, label in MeasureKind.choices if value in PRE_FILING]


class PlanForm(forms.Form):
    scope = forms.CharField(label="核实范围", widget=forms.Textarea(attrs={"rows": 3}))
    points = forms.CharField(label="核实要点", widget=forms.Textarea(attrs={"rows": 4}))
    planned_measures = forms.MultipleChoiceField(
        label="拟采取措施",
        choices=PRE_FILING_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="立案前只能采取谈话、询问、查询、查阅、调取、勘验检查、调查实验、鉴定。",
    )
    starts_on = forms.DateField(label="计划开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="计划结束日期", widget=forms.DateInput(attrs={"type": "date"}))


class MeasureForm(forms.Form):
    # All kinds are offered so that a post-filing one is refused by the rule with its message, not
    # silently missing from the list.
    kind = forms.ChoiceField(label="措施种类", choices=MeasureKind.choices)
    officers = forms.TypedMultipleChoiceField(
        label="承办人员（至少二名核查组成员）", coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    person_or_record = forms.CharField(label="对象（人员或资料）", max_length=200)
    starts_at = forms.DateTimeField(label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label="结束时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label="地点", max_length=200)
    approval_reference = forms.CharField(
        label="审批依据", max_length=200, required=False, help_text="不填写时为已批准的初核方案。"
    )
    record_document = forms.TypedChoiceField(label="措施文书（笔录）", coerce=int, required=False, empty_value=None)
    note = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, officers: list[tuple[int, str]], documents: list[tuple[int, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["officers"].choices = officers  # type: ignore[attr-defined]
        self.fields["record_document"].choices = [("", "（稍后上传）"), *documents]  # type: ignore[attr-defined]


class EvidenceForm(forms.Form):
    title = forms.CharField(label="证据名称", max_length=200)
    kind = forms.ChoiceField(label="证据种类", choices=EvidenceKind.choices)
    description = forms.CharField(label="证明内容", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    file = forms.FileField(
        label="文件", help_text="PDF、JPG、PNG、Word（.docx）、Excel（.xlsx）、纯文本、MP3、MP4，最大 50 MB。"
    )
    source_measure = forms.TypedChoiceField(label="来源措施", coerce=int, required=False, empty_value=None)
    as_record = forms.BooleanField(label="作为该措施的措施文书（笔录）", required=False)

    def __init__(self, *args: Any, measures: list[tuple[int, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["source_measure"].choices = [("", "（无）"), *measures]  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    facts = forms.CharField(label="核实的事实", widget=forms.Textarea(attrs={"rows": 6}))
    basis = forms.CharField(label="依据（证据和规定）", widget=forms.Textarea(attrs={"rows": 4}))
    doubts = forms.CharField(label="存在的疑点", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    recommendation = forms.ChoiceField(label="处置建议", choices=Recommendation.choices)
    review_on = forms.DateField(
        label="暂存复查日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="暂存待查时填写。",
    )

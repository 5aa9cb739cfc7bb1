"""Forms of the public site, and the guards a captcha would otherwise be (none works offline).

The report form carries a signed token with the time the page was served and a random nonce:
a submission sooner than ``MIN_FILL_SECONDS`` after that, or older than ``MAX_FORM_AGE``, is sent back;
a nonce is good for one report (``ratelimit.FORM_TOKEN``); a hidden field that people never see
(the honeypot) must stay empty. With the per-address rate limits this keeps scripted submissions out
without a third-party captcha, and without JavaScript.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.core import signing
from django.forms import formset_factory
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from xiezuoqu.intake.models import Category
from xiezuoqu.intake.services import AccusedInput, IdentityInput

from .selectors import VillageGroup

FORM_SALT = "xiezuoqu.public.report-form"
MIN_FILL_SECONDS = 5
MAX_FORM_AGE = timedelta(hours=3)
MAX_ACCUSED = 5
CONTENT_MIN = 20
CONTENT_MAX = 10000
TEXT_MAX = 5000

PHONE = re.compile(r"^[\d\-+ ()]{7,20}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


# --- the form token ------------------------------------------------------------------------------------


class FormRefused(Exception):
    """The token or the honeypot says the form was not filled by a person (or is stale)."""

    def __init__(self, message: str, *, keep_token: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.keep_token = keep_token


@dataclass(frozen=True)
class FormToken:
    issued_at: datetime
    nonce: str


def issue_form_token(now: datetime | None = None) -> str:
    now = now or timezone.now()
    return signing.dumps({"t": int(now.timestamp()), "n": secrets.token_urlsafe(12)}, salt=FORM_SALT)


def read_form_token(token: str, *, now: datetime | None = None) -> FormToken:
    now = now or timezone.now()
    try:
        payload = signing.loads(token or "", salt=FORM_SALT)
        issued = datetime.fromtimestamp(int(payload["t"]), tz=timezone.get_current_timezone())
        nonce = str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise FormRefused("页面已失效，请重新打开举报页面填写。") from None
    age = now - issued
    if age < timedelta(seconds=MIN_FILL_SECONDS):
        raise FormRefused("提交过快，请核对填写的内容后再提交。", keep_token=True)
    if age > MAX_FORM_AGE:
        raise FormRefused("页面打开时间过长，为安全起见，请核对填写的内容后重新提交。")
    return FormToken(issued_at=issued, nonce=nonce)


def id_number_ok(value: str) -> bool:
    """GB 11643: 15 digits (old cards), or 17 digits and the ISO 7064 check character."""
    if re.fullmatch(r"\d{15}", value):
        return True
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17]


# --- the report form -----------------------------------------------------------------------------------


class ReportForm(forms.Form):
    MODES = (("anonymous", "匿名举报"), ("real_name", "实名举报"))

    form_token = forms.CharField(widget=forms.HiddenInput, required=False)
    # The honeypot: hidden by the stylesheet and from screen readers; people leave it empty.
    homepage = forms.CharField(
        label="个人主页（请勿填写）",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    mode = forms.ChoiceField(
        label="举报方式",
        choices=MODES,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择实名举报或匿名举报。"},
    )
    name = forms.CharField(
        label="姓名", max_length=30, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    id_number = forms.CharField(
        label="身份证号码", max_length=18, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    address = forms.CharField(
        label="通讯地址",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    work_unit = forms.CharField(
        label="工作单位", max_length=100, required=False, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    category = forms.ChoiceField(
        label="问题类别",
        choices=[("", "请选择"), *Category.choices],
        error_messages={"required": "请选择问题类别。", "invalid_choice": "请选择问题类别。"},
    )
    content = forms.CharField(
        label="反映的主要问题",
        min_length=CONTENT_MIN,
        max_length=CONTENT_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "required": "请写明反映的具体问题。",
            "min_length": f"请写明具体问题（时间、地点、人物、事情经过等），不少于 {CONTENT_MIN} 字。",
            "max_length": f"内容不能超过 {CONTENT_MAX} 字，较长的材料请作为附件上传。",
        },
    )

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "").strip().upper().replace(" ", "")
        if value and not id_number_ok(value):
            raise forms.ValidationError("身份证号码有误，请核对（18 位，末位可为 X）。")
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone", "").strip()
        if value and not PHONE.match(value):
            raise forms.ValidationError("联系电话格式有误。")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == "real_name":
            # 实名举报: 真实姓名（或单位）和真实联系方式 (检举控告工作规则).
            if not (data.get("name") or "").strip():
                self.add_error("name", "实名举报请填写您的真实姓名。")
            if not ((data.get("phone") or "").strip() or (data.get("address") or "").strip()):
                self.add_error("phone", "实名举报请至少填写联系电话或通讯地址中的一项，以便告知办理情况。")
        return data

    @property
    def is_real_name(self) -> bool:
        return self.cleaned_data.get("mode") == "real_name"

    def identity(self) -> IdentityInput | None:
        if not self.is_real_name:
            return None
        data = self.cleaned_data
        return IdentityInput(
            name=data.get("name", ""),
            phone=data.get("phone", ""),
            id_number=data.get("id_number", ""),
            address=data.get("address", ""),
            work_unit=data.get("work_unit", ""),
        )


class PlainSelect(forms.Select):
    """A select rendered in Python. The form has five accused rows with some 250 villages each; Django's
    template-rendered options made the page take 300 ms, this takes a few."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = "" if value is None else str(value)

        def option(option_value: Any, label: Any) -> str:
            text = "" if option_value is None else str(option_value)
            mark = " selected" if text == selected else ""
            return f'<option value="{escape(text)}"{mark}>{escape(label)}</option>'

        parts = [f"<select{flatatt(final)}>"]
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(f'<optgroup label="{escape(option_value)}">')
                parts.extend(option(v, text) for v, text in label)
                parts.append("</optgroup>")
            else:
                parts.append(option(option_value, label))
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value and label is escaped above


class AccusedForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=30, required=False)
    unit_text = forms.CharField(label="单位", max_length=100, required=False)
    position = forms.CharField(label="职务", max_length=60, required=False)
    township = forms.TypedChoiceField(
        label="所在乡镇（街道）", coerce=int, required=False, empty_value=None, widget=PlainSelect
    )
    village = forms.TypedChoiceField(
        label="所在村（社区）", coerce=int, required=False, empty_value=None, widget=PlainSelect
    )

    def __init__(
        self, *args: Any, townships: list[tuple[int, str]], villages: list[VillageGroup], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", "请选择"), *townships]  # type: ignore[attr-defined]
        self.fields["village"].choices = [  # type: ignore[attr-defined]
            ("", "不清楚或不涉及"),
            *[(g.township, list(g.villages)) for g in villages],
        ]
        self.village_township = {vid: g.township_id for g in villages for vid, _ in g.villages}

    @property
    def filled(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(k) for k in ("name", "unit_text", "position", "township", "village"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(k) for k in ("name", "unit_text", "position", "township", "village")):
            return data
        if not (data.get("name") or "").strip():
            self.add_error("name", "请填写被反映人姓名；不知道姓名的，填写“不详”并写明单位和职务。")
        village, township = data.get("village"), data.get("township")
        if village and township and self.village_township.get(village) != township:
            self.add_error("village", "所选村（社区）不在所选乡镇（街道）。")
        return data

    def accused_input(self) -> AccusedInput:
        data = self.cleaned_data
        township = data.get("township") or (self.village_township.get(data["village"]) if data.get("village") else None)
        return AccusedInput(
            name=data.get("name", "").strip(),
            unit_text=data.get("unit_text", "").strip(),
            position=data.get("position", "").strip(),
            township_id=township,
            village_id=data.get("village"),
        )


class BaseAccusedFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not any(form.filled for form in self.forms):
            raise forms.ValidationError("请至少填写一名被反映人（不知道姓名的填写“不详”，并写明单位和职务）。")

    def accused(self) -> list[AccusedInput]:
        return [form.accused_input() for form in self.forms if form.filled]


AccusedFormSet = formset_factory(
    AccusedForm,
    formset=BaseAccusedFormSet,
    extra=MAX_ACCUSED,
    max_num=MAX_ACCUSED,
    absolute_max=MAX_ACCUSED,
    validate_max=True,
)


# --- the status page -----------------------------------------------------------------------------------


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label="回执码",
        max_length=40,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "16 位数字", "spellcheck": "false"}
        ),
        error_messages={"required": "请输入回执码。"},
    )


class TextForm(forms.Form):
    text = forms.CharField(
        label="内容",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "请填写内容。", "max_length": f"内容不能超过 {TEXT_MAX} 字。"},
    )


class MaterialForm(forms.Form):
    text = forms.CharField(
        label="补充说明",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": f"内容不能超过 {TEXT_MAX} 字。"},
    )

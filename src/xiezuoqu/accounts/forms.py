from __future__ import annotations

from django import forms

from xiezuoqu.org.models import StaffMember, Unit

from .roles import ASSIGNABLE_ROLES


class LoginForm(forms.Form):
    username = forms.CharField(
        label="用户名", max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(label="密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TotpForm(forms.Form):
    code = forms.CharField(
        label="6 位验证码",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
        ),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput)
    new_password = forms.CharField(
        label="新密码", widget=forms.PasswordInput, help_text="至少 10 位，不能全为数字，不能与用户名相似。"
    )
    new_password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", "两次输入的新密码不一致。")
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=60)
    days = forms.IntegerField(label="有效天数", min_value=1, max_value=730, initial=365)


class CreateUserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(label="显示名", max_length=40, required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput)
    staff = forms.ModelChoiceField(
        label="关联干部",
        queryset=StaffMember.objects.none(),
        required=False,
        help_text="只列出尚无账号的干部；村级监督员账号请留空。",
    )

    def __init__(self, *args, staff=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["staff"].queryset = staff  # type: ignore[attr-defined]


class GrantRoleForm(forms.Form):
    role = forms.ChoiceField(label="角色", choices=[(r.value, r.label) for r in ASSIGNABLE_ROLES])
    unit = forms.ModelChoiceField(label="所在单位", queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, units=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]

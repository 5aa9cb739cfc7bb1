"""One error hierarchy for the whole product.

Services raise these; the page layer turns them into a Chinese message the user can act on and the
API layer into RFC 9457 problem JSON. ``NotFound`` stands for both "missing" and "forbidden" so that
nothing leaks about objects the actor may not see.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    code = "domain_error"
    title = "操作无法完成"

    def __init__(
        self,
        message: str,
        *,
        field_errors: dict[str, list[str]] | None = None,
        audit_action: str = "",
        target_type: str = "",
        target_id: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
        # When set, the edge records the refusal in the audit chain (in its own transaction).
        self.audit_action = audit_action
        self.target_type = target_type
        self.target_id = target_id

    def problem(self, instance: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://xiezuoqu.invalid/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.message,
        }
        if instance:
            body["instance"] = instance
        if self.field_errors:
            body["errors"] = self.field_errors
        return body


class NotFound(DomainError):
    """The object does not exist or the actor may not see it — deliberately indistinguishable."""

    status = 404
    code = "not_found"
    title = "未找到"

    def __init__(self, message: str = "未找到该对象，或您无权查看。", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class NotPermitted(DomainError):
    """The actor may see the object but not do this to it."""

    status = 403
    code = "not_permitted"
    title = "无权操作"


class InvalidTransition(DomainError):
    """The object's current state does not allow this step; the message names the state."""

    status = 409
    code = "invalid_transition"
    title = "当前状态不允许此操作"


class RuleViolation(DomainError):
    """A domain rule (deadline, approval level, recusal, 三员分立 ...) forbids the step."""

    status = 422
    code = "rule_violation"
    title = "不符合规定"


class ValidationFailed(DomainError):
    """The input itself is wrong; ``field_errors`` says where."""

    status = 422
    code = "validation_failed"
    title = "输入有误"

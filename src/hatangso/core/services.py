"""Users, roles and API tokens. Every write is audited like any other."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hatangso.core.changelog import Actor, record_change
from hatangso.core.models import ApiToken, ChangeLogEntry, Membership, Role
from hatangso.utilities.errors import UserError

TOKEN_PREFIX = "hts_"


@transaction.atomic
def create_user(*, username: str, password: str, actor: Actor, full_name: str = "", email: str = ""):
    users = get_user_model().objects
    if users.filter(username=username).exists():
        raise UserError(f"Tên đăng nhập '{username}' đã có", f"Username '{username}' is taken")
    user = users.model(username=username, first_name=full_name[:150], email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise UserError(
            f"Mật khẩu chưa đủ mạnh: {' '.join(exc.messages)}",
            f"The password is too weak: {' '.join(exc.messages)}",
        ) from exc
    user.set_password(password)
    user.save()
    record_change(actor, ChangeLogEntry.Action.CREATE, user)
    return user


@transaction.atomic
def grant_membership(*, user, role: str, actor: Actor, unit=None, operator=None, agency=None) -> Membership:
    if role not in Role.values:
        raise UserError(f"Vai trò '{role}' không có", f"Unknown role '{role}'")
    if role == Role.ENTERPRISE and operator is None:
        raise UserError("Vai trò doanh nghiệp cần doanh nghiệp", "The enterprise role needs an operator")
    if role != Role.ENTERPRISE and unit is None:
        raise UserError("Vai trò này cần địa bàn (đơn vị hành chính)", "This role needs an area (a unit)")
    if role == Role.COMMUNE and unit.level != "commune":
        raise UserError(f"{unit} không phải cấp xã", f"{unit} is not a commune")
    if role == Role.AGENCY and agency is None:
        raise UserError("Vai trò cơ quan cần cơ quan", "The agency role needs an agency")
    membership, created = Membership.objects.get_or_create(
        user=user, role=role, unit=unit, operator=operator, agency=agency
    )
    if created:
        record_change(actor, ChangeLogEntry.Action.CREATE, membership)
    return membership


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, user, name: str, actor: Actor, days: int | None = 365) -> tuple[ApiToken, str]:
    """Returns the stored token and the secret, which is shown once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:12],
        key_hash=_hash(secret),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    record_change(actor, ChangeLogEntry.Action.CREATE, token)
    return token, secret


def user_for_token(secret: str):
    """The active user of a valid, unexpired, unrevoked token, or None."""
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(secret), revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at and token.expires_at < timezone.now():
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user

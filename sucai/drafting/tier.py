"""Who may use the 写作台: the one place that decides it.

The operator chooses the tier with the setting ``drafting_tier``: ``"member"``
(the default: 会员 with a current membership, and admins) or ``"user"`` (every
logged-in account). Visitors never draft (drafts belong to an account). What a
writer *sees* while drafting is still decided by :func:`sucai.access.view` with
their member tier, whatever ``drafting_tier`` lets them in.
"""

from __future__ import annotations

from ..accounts import Viewer
from ..config import Settings
from ..errors import Forbidden, Unauthorized

TIER_NAMES = {"user": "注册用户", "member": "会员"}


def may_draft(viewer: Viewer, settings: Settings) -> bool:
    """Whether ``viewer`` may use the 写作台 under ``settings.drafting_tier``."""
    if not viewer.logged_in:
        return False
    if settings.drafting_tier == "user":
        return True
    return viewer.member


def require_drafting(viewer: Viewer, settings: Settings) -> None:
    """Refuse (Unauthorized ``login_required`` for a visitor, Forbidden ``drafting_tier`` otherwise) a viewer who may not draft."""
    if may_draft(viewer, settings):
        return
    if not viewer.logged_in:
        raise Unauthorized("写作台需要登录后使用", code="login_required")
    raise Forbidden(f"写作台是{TIER_NAMES[settings.drafting_tier]}功能：开通会员（在“我的账号”兑换卡密，或联系管理员）后即可使用",
                    code="drafting_tier")

"""One base error for everything sucai reports to a user.

Every error carries a short machine ``code`` (``"no_text_layer"``,
``"not_found"``…) and the HTTP ``status`` the web layer answers with, so the CLI
and the JSON API report the same thing in the same words. The message is written
for the person who will read it, in plain language, in Chinese: what a library said
(pdfminer's "No /Root object! - Is this really a PDF?") stays in the exception the
error is raised from (``raise ReadError(...) from exc``), which goes to the log.
"""

from __future__ import annotations

import errno


class SucaiError(Exception):
    """Base of all errors meant for users. ``str(err)`` is the message."""

    status = 500
    default_code = "error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code

    def to_dict(self) -> dict:
        return {"ok": False, "error": self.message, "code": self.code, "status": self.status}


class ReadError(SucaiError):
    """A file could not be turned into text (unsupported, undecodable, no text layer…)."""

    status = 422
    default_code = "unreadable"


class InvalidInput(SucaiError):
    status = 422
    default_code = "invalid_input"


class BadValue(InvalidInput):
    """A value the user typed is not acceptable (a user name, password, role, date…): on the command
    line a usage error (exit 2), on the web like any invalid input."""

    default_code = "bad_value"


class NotFound(SucaiError):
    status = 404
    default_code = "not_found"


def no_document(doc_id: int) -> NotFound:
    """The error for a 编号 no document has (``document_not_found``)."""
    return NotFound(f"没有编号为 {doc_id} 的文档", code="document_not_found")


class Unauthorized(SucaiError):
    """Who asks is not known: no login where one is needed (``login_required``), or credentials that are not
    valid (``bad_token``: an unknown, revoked or malformed API token). 401 on the web, with ``WWW-Authenticate``;
    :class:`Forbidden` (403) is for someone known who may not."""

    status = 401
    default_code = "unauthorized"


class Forbidden(SucaiError):
    status = 403
    default_code = "forbidden"


_OS_REASONS = {
    errno.ENOENT: "文件或文件夹不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘空间不足", errno.EROFS: "只读的文件系统", errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中有一项不是文件夹", errno.EEXIST: "已经存在", errno.ENAMETOOLONG: "名称太长",
    errno.EADDRINUSE: "已被占用", errno.EADDRNOTAVAIL: "本机没有这个地址", errno.ELOOP: "符号链接循环",
}


def os_reason(error: OSError) -> str:
    """Why an operating-system call failed, in Chinese (the English ``strerror`` is never shown)."""
    return _OS_REASONS.get(error.errno, f"系统错误 {error.errno}" if error.errno else "系统错误")


def first_line(error: BaseException) -> str:
    """What an error says on its first line (empty when nothing): a database driver's error goes on with the
    statement and its parameters — a document's text among them —, which no user is shown."""
    return (str(error).strip().splitlines() or [""])[0]

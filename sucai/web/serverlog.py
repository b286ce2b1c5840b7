"""uvicorn's log lines in Chinese, for ``sucai serve``: the logging settings it is given (:func:`log_config`).

``sucai serve`` runs uvicorn at level ``warning`` without an access log (:func:`~sucai.web.serving.uvicorn_options`):
its start, its stop and each request are not logged, the banner of ``sucai serve`` says where it serves. What
reaches the console are uvicorn's warnings and errors — a request it could not parse (answered in Chinese by
:class:`~sucai.web.serving.NoDelayProtocol`), a worker that failed to start, a shutdown that timed out… —
written by uvicorn (0.55) in English, as fixed sentences, ``%`` templates or f-strings naming a process.
:class:`ChineseFormatter` writes each line it knows (:data:`_WORDS`) in Chinese, with the level in Chinese
(``警告``, ``错误``); one it does not know stays as uvicorn wrote it, after the Chinese level. A traceback that
comes with an error (``exc_info``) is kept as Python writes it: it is for whoever runs the server. sucai's own
errors while serving (``sucai.web``: :func:`sucai.web.errors.install`) are written the same way. No line holds a
control, zero-width or bidi character (:class:`sucai.logs.PlainFormatter`). python-multipart's warnings (a form's body
malformed by its client, answered 400 in Chinese) are not logged.
"""

from __future__ import annotations

import logging
import re

from ..logs import PlainFormatter

__all__ = ["ChineseFormatter", "chinese", "log_config"]

_LEVELS = {logging.DEBUG: "调试", logging.INFO: "信息", logging.WARNING: "警告", logging.ERROR: "错误",
           logging.CRITICAL: "严重错误"}

_WORDS = [(re.compile(english), chinese) for english, chinese in (
    (r"Invalid HTTP request received\.", "收到无法解析的 HTTP 请求（网址中有未经百分号编码的字符等），已回复 400 及说明"),
    (r"Unsupported upgrade request\.", "收到不支持的协议升级请求（如 WebSocket），已按普通请求处理"),
    (r"No supported WebSocket library detected\..*", "未安装 WebSocket 支持库，协议升级请求不予处理"),
    (r"Exceeded concurrency limit\.", "同时处理的请求数已达上限，新请求回复 503"),
    (r"Exception in ASGI application\s*", "处理请求时出现未捕获的异常"),
    (r"ASGI callable should return None, but returned '(.*)'\.", r"网页应用返回了意外的值（\1），连接已关闭"),
    (r"ASGI callable returned without starting response\.", "网页应用没有给出回复，已回复 500"),
    (r"ASGI callable returned without completing response\.", "网页应用的回复不完整，连接已关闭"),
    (r"Exception in 'lifespan' protocol\s*", "网页应用启动或停止时出错"),
    (r"Application startup failed\. Exiting\.", "网页应用启动失败，服务进程退出"),
    (r"Application shutdown failed\. Exiting\.", "网页应用停止时出错，服务进程退出"),
    (r"Cancel (\d+) running task\(s\), timeout graceful shutdown exceeded",
     r"等待进行中的请求结束已超时，取消其余 \1 个"),
    (r"Child process \[(\d+)\] failed to start, stopping the parent process\.",
     r"服务进程 \1 启动失败，整个服务随之停止"),
    (r"New child process \[(\d+)\] was not ready in time; keeping worker \[(\d+)\] and aborting the restart\.",
     r"新的服务进程 \1 未能按时就绪，保留原进程 \2，放弃此次重启"),
    (r"Child process \[(\d+)\] died", r"服务进程 \1 意外退出，将重新启动一个"),
)]


def chinese(message: str) -> str:
    """``message`` (one of uvicorn's, with its arguments put in) in Chinese, or unchanged if not one of :data:`_WORDS`."""
    for english, words in _WORDS:
        found = english.fullmatch(message)
        if found:
            return found.expand(words)
    return message


class ChineseFormatter(PlainFormatter):
    """``时间 级别 消息``: the level and uvicorn's known messages in Chinese (see the module), a line that cannot act
    on a terminal (:class:`sucai.logs.PlainFormatter`: a request's path, a file's name, a title are shown, never obeyed),
    its time on the site's clock ``zone`` (the ``timezone`` setting's name; None: the machine's)."""

    def __init__(self, zone: str | None = None):
        super().__init__("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S", zone)

    def format(self, record: logging.LogRecord) -> str:
        shown = logging.makeLogRecord(record.__dict__)   # the record itself goes on to other handlers as it was
        shown.msg, shown.args = chinese(record.getMessage()), None
        shown.levelname = _LEVELS.get(record.levelno, record.levelname)
        return super().format(shown)


def log_config(zone: str) -> dict:
    """uvicorn's ``log_config`` (applied in each worker): its loggers, all under ``uvicorn``, to stderr, stamped on the
    site's clock ``zone`` (the ``timezone`` setting's name)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"chinese": {"()": ChineseFormatter, "zone": zone}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "chinese", "stream": "ext://sys.stderr"}},
        "loggers": {"uvicorn": {"handlers": ["stderr"], "propagate": False},
                    # its warnings are of a body a client malformed (「Expected boundary character 45, got 123 at index
                    # 2」), in English, one per request any visitor sends: the 400 answer says it, in Chinese (.errors)
                    "python_multipart": {"level": "ERROR"}},
    }

"""Word 97–2003 (.doc), WPS 文字 (.wps), RTF and OpenDocument text (.odt) → .docx with LibreOffice.

The formats are told apart by content: an OLE2 compound file (olefile) holding a
``WordDocument`` stream is a Word 97–2003 binary document — WPS 文字 writes its
.wps files in the same format — and one holding ``CONTENTS`` with a .wps name is
a Microsoft Works document; ``{\\rtf`` starts RTF; a zip whose first entry
``mimetype`` says ``application/vnd.oasis.opendocument.text`` is ODF text.
Spreadsheets, presentations and encrypted documents in these containers are
refused with a reason.

Conversion runs LibreOffice headless (Debian ``libreoffice-writer-nogui``) once
for a whole batch: ``soffice --convert-to docx --outdir OUT a b c…`` with a
private profile, so it never hands the work to another running LibreOffice.
LibreOffice converts the files in order; each new output restarts the per-file
clock, and when a file takes longer than its time limit LibreOffice is killed,
that file is reported as timed out and a new LibreOffice goes on with the rest.
The converted .docx is then read by the .docx reader. Inputs are linked under
numbered names first, so two inputs with the same name never overwrite each
other's output. The batches converted in one folder (:func:`conversion_folder`: an
ingest's chunks) share one profile, which LibreOffice makes in two starts (see
below); LibreOffice's temporary files go in the folder too (``TMPDIR``), and the
socket it leaves in /tmp when it is killed (:func:`_pipe`) is removed: a batch of
1,000 files, however many conversions time out, leaves nothing behind, nor does
one killed with its process (the next conversion folder removes what it left).
LibreOffice runs under the same address-space limit as a parse worker (``prlimit``),
and it dies with the process that started it (``setpriv --pdeathsig KILL``, the kernel's ``PR_SET_PDEATHSIG``): an ingest killed (SIGKILL, the OOM killer) leaves no LibreOffice converting its
chunk on, orphaned, nor a hung one for ever. ``soffice.bin`` is run itself, not through the ``soffice`` script's
launcher (oosplash), whose child it would be, out of the signal's reach; a new profile's first start asks to be
started again (exit status 81), as the launcher would, once.

Why a batch call rather than a long-lived office server (unoserver): the server
needs LibreOffice's own Python (python3-uno), which a virtual environment does
not see; one ``soffice`` per batch costs one start-up (a few seconds) however
many files the batch has, and needs nothing but the Debian package.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath

import olefile

from sucai.budget import scratch_folder
from sucai.errors import ReadError
from sucai.interrupts import dying_with_parent

INSTALL = "请安装 LibreOffice（Debian/Ubuntu：apt-get install libreoffice-writer-nogui）"
FORMATS = {"doc": "Word 97–2003 文档（.doc）", "wps": "WPS 文字文档（.wps）", "rtf": "RTF 文档", "odt": "ODF 文本文档（.odt）"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODF_TEXT = "application/vnd.oasis.opendocument.text"
_ODF_OTHER = {
    "application/vnd.oasis.opendocument.spreadsheet": "ODF 电子表格（.ods）",
    "application/vnd.oasis.opendocument.presentation": "ODF 演示文稿（.odp）",
}
_OLE_OTHER = (  # stream → what the compound file really is
    ("Workbook", "Excel 电子表格（.xls/.et）"), ("Book", "Excel 电子表格（.xls）"),
    ("PowerPoint Document", "PowerPoint 演示文稿（.ppt/.dps）"),
)
_STARTUP_SECONDS = 60  # allowed for LibreOffice to start before the first file's clock runs
_POLL_SECONDS = 0.2
_RESTART = 81  # soffice.bin's exit status when it made a new profile and asks to be started again
_SAVE_AS = "请另存为 .docx 后重试"
_SNIFF_MAX = 200 * 2**20  # larger files are refused by the reader anyway
PROFILE = "profile"  # the LibreOffice profile of a conversion folder
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" \
oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""
"""The settings a new profile starts with (``user/registrymodifications.xcu``): a document's links to what lies outside
it — an image at ``http://10.0.0.5/…`` or ``file:///…`` — are not followed (LibreOffice's expert setting
``BlockUntrustedRefererLinks``): a visitor's .odt sent to 查重 had the server fetch any address it named (attack 23)."""


def missing() -> str | None:
    """Why LibreOffice conversion cannot run here (a Chinese sentence saying what to install), or None."""
    return None if _soffice() else f"未安装 LibreOffice，无法转换该文件；{INSTALL}"


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _program(soffice: str) -> str:
    """LibreOffice's own program, ``soffice.bin`` beside the ``soffice`` script, when there is one: the script runs
    it from a launcher (oosplash) as a child of its own, which the parent-death signal does not reach."""
    program = Path(os.path.realpath(soffice)).with_name("soffice.bin")
    return str(program) if program.is_file() else soffice


def _ole_kind(data: bytes, suffix: str) -> str:
    try:
        with olefile.OleFileIO(data) as ole:
            streams = {"/".join(entry) for entry in ole.listdir()}
    except (OSError, ValueError) as exc:  # olefile raises OSError ("not an OLE2 structured storage") and others
        raise ReadError("旧版 Office 文件已损坏，无法打开", code="corrupt") from exc
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise ReadError("文件已加密（设有打开密码），请在 Word 或 WPS 中取消密码后重试", code="unsupported_format")
    if "WordDocument" in streams:
        return "wps" if suffix == ".wps" else "doc"
    if "CONTENTS" in streams and suffix == ".wps":
        return "wps"  # Microsoft Works
    what = next((label for stream, label in _OLE_OTHER if stream in streams), "不是 Word 或 WPS 文字文档的 Office 文件")
    raise ReadError(f"不支持的文件：实际是 {what}，目前只能导入文字文档", code="unsupported_format")


def _odf_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            mimetype = archive.read("mimetype").decode("ascii", errors="replace").strip()
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    if mimetype == _ODF_TEXT:
        return "odt"
    if mimetype in _ODF_OTHER:
        raise ReadError(f"不支持的文件：实际是 {_ODF_OTHER[mimetype]}，目前只能导入文字文档", code="unsupported_format")
    return None


def office_kind(data: bytes, name: str) -> str | None:
    """"doc", "wps", "rtf" or "odt" when ``data`` is such a document (by content; ``name`` only tells .wps
    from .doc, which share one format), None for anything else.

    Raises ReadError "unsupported_format" for spreadsheets, presentations and
    encrypted documents in these containers, "corrupt" for a damaged OLE file.
    """
    if data.startswith(OLE_MAGIC):
        return _ole_kind(data, PurePath(name).suffix.lower())
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(b"PK\x03\x04"):
        return _odf_kind(data)
    return None


def sniff(path: Path) -> str | None:
    """``office_kind`` of the file at ``path``, None as well when it cannot be read or is refused (the reader
    then reports why). Reads the whole file only when its first bytes say it is an OLE, RTF or zip file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(OLE_MAGIC))
            if not head.startswith((OLE_MAGIC, b"{\\rtf", b"PK\x03\x04")) or Path(path).stat().st_size > _SNIFF_MAX:
                return None
            handle.seek(0)
            return office_kind(handle.read(), Path(path).name)
    except (OSError, ReadError):
        return None


@contextmanager
def conversion_folder() -> Iterator[Path]:
    """A new folder to convert in (:func:`convert_batch`), removed with all it holds on leaving (a
    :func:`sucai.budget.scratch_folder`); one that a killed process left is removed by the next, with the socket its
    killed LibreOffice left in /tmp."""
    with scratch_folder("sucai-convert-", also=lambda left: _pipe(left / PROFILE).unlink(missing_ok=True)) as folder:
        yield Path(folder)


def _pipe(profile: Path) -> Path:
    """The socket on which a LibreOffice using ``profile`` takes the work of a later start (it removes it as it ends;
    one killed leaves it): ``OSL_PIPE_{uid}_SingleOfficeIPC_{hash}`` in /tmp — /var/tmp when /tmp cannot be
    written, whatever TMPDIR says —, the hash the MD5 of the profile's URL in UTF-16, each byte in hex without a
    leading zero (LibreOffice: desktop/source/app/officeipcthread.cxx, sal/osl/unx/pipe.cxx)."""
    digest = hashlib.md5(profile.as_uri().encode("utf-16-le"), usedforsecurity=False).digest()
    folder = "/tmp" if os.access("/tmp", os.W_OK) else "/var/tmp"
    return Path(folder) / f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{''.join(f'{byte:x}' for byte in digest)}"


def _stop(process: subprocess.Popen) -> None:
    """Kill LibreOffice and whatever it started (it runs in a session of its own)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _command(staged: list[Path], outdir: Path, profile: Path, memory_mb: int | None) -> list[str]:
    """The command converting ``staged``: LibreOffice under ``prlimit`` (its address space) and ``setpriv
    --pdeathsig KILL`` (killed when the process that started it dies — the ingest killed, SIGKILL or the OOM killer:
    it ran its chunk on, orphaned, a hung conversion for ever), each when installed (util-linux)."""
    limit = ["prlimit", f"--as={memory_mb * 2**20}"] if memory_mb and shutil.which("prlimit") else []
    return [*limit, *dying_with_parent([_program(_soffice()), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                                        "--norestore", "--nolockcheck", "--convert-to", "docx", "--outdir", str(outdir),
                                        *map(str, staged)])]


def _run(staged: list[Path], batch: Path, profile: Path, timeout: float, memory_mb: int | None) -> int:
    """Convert ``staged`` in one LibreOffice (started again once when it asks to be, after making the profile, as its
    launcher would), its outputs in ``batch``/out, its temporary files in ``batch``/tmp; returns how many came out
    before it ended or hung on one."""
    for _ in range(2):
        done = _run_once(staged, batch, profile, timeout, memory_mb)
        if done is not None:
            return done
    return len(staged)  # asked twice: what came out is all it made


def _run_once(staged: list[Path], batch: Path, profile: Path, timeout: float, memory_mb: int | None) -> int | None:
    """One LibreOffice converting ``staged``: how many came out before it ended or hung on one (None: it asked to
    be started again). Its socket is removed once it has ended (:func:`_pipe`: one killed leaves it)."""
    outdir = batch / "out"
    process = subprocess.Popen(_command(staged, outdir, profile, memory_mb), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, start_new_session=True,
                               env={**os.environ, "TMPDIR": str(batch / "tmp")})
    done, deadline = 0, time.monotonic() + _STARTUP_SECONDS + timeout
    try:
        while process.poll() is None:
            ready = sum(1 for path in staged if (outdir / f"{path.stem}.docx").exists())
            if ready > done:  # a new output: the next file's clock starts now
                done, deadline = ready, time.monotonic() + timeout
            if time.monotonic() > deadline:
                _stop(process)
                return ready  # the files before the first one without output are done
            time.sleep(_POLL_SECONDS)
    finally:
        if process.poll() is None:
            _stop(process)
        _pipe(profile).unlink(missing_ok=True)
    return None if process.returncode == _RESTART else len(staged)


def convert_batch(sources: list[Path], workdir: Path, timeout: float, memory_mb: int | None = None
                  ) -> dict[Path, Path | ReadError]:
    """Convert each of ``sources`` to .docx in a new folder in ``workdir`` (made when missing; the caller removes it:
    a :func:`conversion_folder`), with the LibreOffice profile of ``workdir`` (:data:`PROFILE`), made by the first
    batch converted there, which follows no link of a document to what lies outside it (:data:`_PROFILE_SETTINGS`).

    Returns for each source the converted .docx, or the ReadError saying why it
    has none: "converter_unavailable" (LibreOffice missing, with what to
    install), "timeout" (a file took longer than
    ``timeout`` seconds; LibreOffice goes on with the next), "corrupt"
    (LibreOffice could not open it).
    """
    reason = missing()
    if reason:
        return {source: ReadError(reason, code="converter_unavailable") for source in sources}
    workdir.mkdir(parents=True, exist_ok=True)
    _settle_profile(workdir / PROFILE)
    batch = Path(tempfile.mkdtemp(prefix="batch-", dir=workdir))
    inbox, outdir = batch / "in", batch / "out"
    for folder in (inbox, outdir, batch / "tmp"):
        folder.mkdir()
    staged = []
    for number, source in enumerate(sources):
        link = inbox / f"{number:06d}{source.suffix.lower()}"
        link.symlink_to(Path(source).resolve())
        staged.append(link)
    results: dict[Path, Path | ReadError] = {}
    position = 0
    while position < len(staged):
        position += _run(staged[position:], batch, workdir / PROFILE, timeout, memory_mb)
        if position < len(staged):  # LibreOffice hung on this one: report it, go on after it
            results[sources[position]] = ReadError(
                f"LibreOffice 转换超过 {timeout:.0f} 秒仍未完成，已停止；{_SAVE_AS}", code="timeout")
            position += 1
    for source, link in zip(sources, staged):
        output = outdir / f"{link.stem}.docx"
        if source not in results:
            results[source] = output if output.exists() and output.stat().st_size else ReadError(
                f"LibreOffice 无法打开该文件（可能已损坏或不是文字文档）；{_SAVE_AS}", code="corrupt")
    return results


def _settle_profile(profile: Path) -> None:
    """Give the profile ``profile`` that LibreOffice is yet to make :data:`_PROFILE_SETTINGS`, which it keeps as it
    makes the rest."""
    settings = profile / "user" / "registrymodifications.xcu"
    if not settings.exists():
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(_PROFILE_SETTINGS, encoding="utf-8")


def convert_bytes(data: bytes, kind: str, timeout: float, memory_mb: int | None = None) -> bytes:
    """Convert one document's bytes (``kind`` from ``office_kind``) to .docx bytes, in a temporary folder
    removed afterwards. Raises the ReadError of ``convert_batch``."""
    with conversion_folder() as folder:
        source = folder / f"document.{kind}"
        source.write_bytes(data)
        result = convert_batch([source], folder, timeout, memory_mb)[source]
        if isinstance(result, ReadError):
            raise result
        return result.read_bytes()

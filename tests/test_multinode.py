"""Several web nodes on one PostgreSQL database (issue 15): two real ``sucai serve`` processes, each
with its own data directory and search index, sharing the catalogue and the accounts.

- A document uploaded through node A is found on node B, which was never told (it follows the
  change log by LISTEN/NOTIFY and polling); the time it took is printed.
- A login on A is a login on B (the session and the cookie-signing key are in the database).
- Six failed logins spread over A and B lock the account (the attempts are in the database).
- A member's daily download quota counts the downloads made on both nodes.
- Node B killed with SIGKILL while A is under load, documents added meanwhile, B restarted: B
  catches up by itself, and A answered every request of the load.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import new_database, setup_home, site_day
from postgres import free_port
from sucai.accounts import Accounts
from sucai.library import Library

SAMPLES = Path(__file__).resolve().parents[1] / "sucai" / "samples" / "library"
PASSWORD = "测试密码123456"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SETTINGS = 'login_max_failures = 5\nmember_daily_downloads = 3\ntrusted_proxies = "127.0.0.1"\n'


class Node:
    """``sucai serve`` in a child process, on its own data directory and port."""

    def __init__(self, home: Path):
        self.home, self.port, self.process = home, free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> Node:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sucai", "serve", "--home", str(self.home), "--port", str(self.port),
             "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "SUCAI_HOME": str(self.home)})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/stats", timeout=5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            assert self.process.poll() is None, "the node exited while starting"
            time.sleep(0.2)
        raise RuntimeError("the node did not start")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def client(self, ip: str) -> httpx.Client:
        """A browser-like client whose address is ``ip`` (the node believes 127.0.0.1's X-Forwarded-For)."""
        return httpx.Client(base_url=self.url, headers={"x-forwarded-for": ip, "accept": "text/html"}, timeout=60)


@pytest.fixture(scope="module")
def nodes(postgres, request, tmp_path_factory):
    url = new_database(postgres, request)
    root = tmp_path_factory.mktemp("nodes")
    homes = [setup_home(root / name, url) for name in ("a", "b")]
    for home in homes:
        with (home / "sucai.toml").open("a", encoding="utf-8") as toml:
            toml.write(SETTINGS)
    library = Library.open(homes[0])
    library.ingest([SAMPLES], workers=1)
    accounts = Accounts.open(homes[0])
    accounts.add_user("管理员", PASSWORD, "admin")
    accounts.add_user("会员甲", PASSWORD, "member", site_day(30).isoformat())
    accounts.add_user("锁定测试", PASSWORD, "user")
    started = [Node(home).start() for home in homes]
    yield {"a": started[0], "b": started[1], "library": library, "accounts": accounts}
    for node in started:
        node.stop()


def log_in(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    token = _CSRF.search(client.get("/login").text).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def found(node: Node, query: str) -> list[int]:
    data = httpx.get(f"{node.url}/api/search", params={"q": query, "mode": "precise"}, timeout=30).json()
    return [hit["id"] for hit in data["hits"]]


def wait_until_found(node: Node, query: str, deadline: float = 60.0) -> float:
    """Seconds until ``query`` finds something on ``node`` (fails after ``deadline``)."""
    start = time.monotonic()
    while not found(node, query):
        assert time.monotonic() - start < deadline, f"{query} never became searchable on {node.url}"
        time.sleep(0.05)
    return time.monotonic() - start


def test_a_document_uploaded_on_a_is_found_on_b(nodes):
    a, b = nodes["a"], nodes["b"]
    with a.client("10.1.0.1") as admin:
        assert log_in(admin, "管理员").status_code == 303
        token = _CSRF.search(admin.get("/admin/upload").text).group(1)
        assert not found(b, "节点同步测试甲乙丙")
        upload = admin.post("/admin/upload", data={"csrf_token": token},
                            files={"files": ("sync.txt", "关于节点同步的通知\n节点同步测试甲乙丙，请各单位知悉。\n".encode())})
        uploaded = time.monotonic()
        assert upload.status_code == 200 and "已入库" in upload.text
    assert found(a, "节点同步测试甲乙丙")                     # A synced its own index while ingesting
    wait_until_found(b, "节点同步测试甲乙丙")
    print(f"\nsearchable on node B {time.monotonic() - uploaded:.2f} s after the upload on node A returned")


def test_a_login_on_a_is_valid_on_b(nodes):
    a, b = nodes["a"], nodes["b"]
    with a.client("10.2.0.1") as on_a:
        assert log_in(on_a, "会员甲").status_code == 303
        cookies = on_a.cookies
        with b.client("10.2.0.1") as on_b:
            on_b.cookies = cookies
            me = on_b.get("/api/me").json()
            assert me["username"] == "会员甲" and me["member"] is True
            token = _CSRF.search(on_b.get("/account").text).group(1)    # the CSRF token of A's session works on B
            assert on_b.post("/logout", data={"csrf_token": token}).status_code == 303
        assert on_a.get("/api/me").json()["username"] is None        # logged out on B: gone on A too


def test_six_failed_logins_over_both_nodes_lock_the_account(nodes):
    a, b = nodes["a"], nodes["b"]
    answers = []
    for attempt in range(6):
        node = (a, b)[attempt % 2]
        with node.client(f"10.3.0.{attempt + 1}") as client:     # a new address each time: the name is locked
            answers.append(log_in(client, "锁定测试", "wrong password").status_code)
    assert answers == [401] * 5 + [429]
    with b.client("10.3.1.1") as client:
        assert log_in(client, "锁定测试").status_code == 429        # even the right password waits now


def test_the_daily_quota_counts_downloads_on_both_nodes(nodes):
    a, b = nodes["a"], nodes["b"]
    secret = nodes["accounts"].create_token("会员甲", "quota")
    headers = {"authorization": f"Bearer {secret}"}
    answers = [httpx.get(f"{(a, b)[n % 2].url}/api/documents/1/download", params={"format": "md"}, headers=headers,
                         timeout=30).status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]                    # member_daily_downloads = 3, spent on A, B, A
    assert nodes["accounts"].used_today(nodes["accounts"].viewer("会员甲"), "download") == 3


def test_a_killed_node_catches_up_and_the_other_serves_throughout(nodes, tmp_path):
    a, b = nodes["a"], nodes["b"]
    answers: list[int] = []
    stop = threading.Event()

    def load():
        with httpx.Client(base_url=a.url, timeout=60) as client:
            while not stop.is_set():
                answers.append(client.get("/api/search", params={"q": "工作 要求", "limit": 20}).status_code)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        b.kill()
        for n in range(3):
            (tmp_path / f"late{n}.txt").write_text(f"关于补记的通知\n宕机补记测试{n}号，请按时报送。\n", encoding="utf-8")
        subprocess.run([sys.executable, "-m", "sucai", "ingest", str(tmp_path), "--home", str(a.home)], check=True,
                       stdout=subprocess.DEVNULL, env={**os.environ, "SUCAI_HOME": str(a.home)})
        b.start()
        for n in range(3):
            wait_until_found(b, f"宕机补记测试{n}号")
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert answers and set(answers) == {200}, f"node A answered {sorted(set(answers))}"
    print(f"\nnode A answered {len(answers)} searches while node B was killed and restarted")

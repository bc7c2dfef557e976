"""The demo's central server: started beside the demo desk, the desk enrolled and synced, and
the receipts' QR pointing at it, so a phone on the same network opens a demo receipt's page.

The server runs as its own process (``python -m central_server run``) on SQLite in the demo's
folder; the desk talks to it on loopback, phones on the machine's address in the local network.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .domain.i18n import tr

DEFAULT_PORT = 8700
DEMO_UNITS_SCOPE = "agency"   # the demo desk plays every unit of the centre, and its supervisor


def lan_address() -> str:
    """This machine's address in the local network (what a phone on the same Wi-Fi reaches);
    127.0.0.1 when there is none. Nothing is sent: a UDP socket only picks its route."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
        except OSError:
            return "127.0.0.1"
    return address if not address.startswith("0.") else "127.0.0.1"


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


@dataclass
class DemoServer:
    process: subprocess.Popen
    port: int
    local_url: str       # what the desk uses (loopback)
    public_url: str      # what the receipts' QR hold (the machine's address in the network)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_server(demo_dir: Path, port: int | None = None, host: str = "0.0.0.0",
                 timeout: float = 60.0) -> DemoServer:
    """Start the demo's central server (SQLite in ``demo_dir/server``) and wait until it answers."""
    import httpx
    folder = demo_dir / "server"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = DEFAULT_PORT if port is None else port
    if port is None and not _port_free(wanted):
        wanted = 0  # the usual port is taken: any free one
    port_file = folder / "port"
    port_file.unlink(missing_ok=True)
    log = open(folder / "server.log", "ab")
    cmd = [sys.executable, "-m", "central_server", "run", "--database-url",
           "sqlite:///%s" % (folder / "server.sqlite3"), "--files-dir", str(folder / "files"),
           "--host", host, "--port", str(wanted), "--port-file", str(port_file)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[1])] +
                                                      ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])))
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    deadline = time.monotonic() + timeout
    while not port_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(tr("Máy chủ mẫu không khởi động được; xem {log}.").format(log=folder / "server.log"))
        time.sleep(0.1)
    actual = int(port_file.read_text())
    local = "http://127.0.0.1:%d" % actual
    while True:
        try:
            if httpx.get(local + "/api/v1/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(tr("Máy chủ mẫu không trả lời; xem {log}.").format(log=folder / "server.log"))
        time.sleep(0.2)
    public_host = lan_address() if host in ("0.0.0.0", "::") else host
    return DemoServer(process, actual, local, "http://%s:%d" % (public_host, actual))


def connect_desk(ctx, server: DemoServer, demo_dir: Path, progress=print) -> None:
    """Point the demo's receipts at the server, enrol the desk (once) and sync everything."""
    from central_server import desks
    from central_server.db import ServerDatabase
    from central_server.settings import Settings, vn_now
    from .services import admin, auth, setup, sync
    from .services.demo import DEMO_PASSWORD
    from .storage import sync_repo
    from .storage.models import Unit
    from sqlalchemy import select

    agency = setup.agency(ctx)
    if agency.public_base_url != server.public_url:
        import dataclasses
        boss = auth.login(ctx, "admin", DEMO_PASSWORD)
        admin.update_agency(ctx, boss, dataclasses.replace(agency, public_base_url=server.public_url))
    with ctx.db.session(write=False) as s:
        units = [u.code for u in s.scalars(select(Unit).order_by(Unit.kind != "counter", Unit.code))]
        cfg = sync_repo.config(s)
        enrolled_at = cfg.server_url if cfg is not None else None
    if enrolled_at is None:
        db = ServerDatabase(Settings(database_url="sqlite:///%s" % (demo_dir / "server" / "server.sqlite3"),
                                     data_dir=demo_dir / "server" / "files"))
        db.upgrade()
        with db.session() as s:
            code, _ = desks.create_enrolment_code(s, tr("Quầy mẫu"), agency.code, units, DEMO_UNITS_SCOPE,
                                                  vn_now(), 1)
        db.dispose()
        sync.enrol(ctx, server.local_url, code, tr("Quầy mẫu"))
    elif enrolled_at != server.local_url:  # the server came up on another port this time
        with ctx.db.session() as s:
            sync_repo.config(s).server_url = server.local_url
    progress(tr("Đang đồng bộ dữ liệu mẫu lên máy chủ ..."))
    for _ in range(50):
        report = sync.sync_once(ctx)
        with ctx.db.session(write=False) as s:
            left = sync_repo.count_unsent(s)
        if not left and not report.pushed:
            break
    try:
        if online_samples(ctx, server.local_url, agency.code):
            sync.sync_once(ctx)  # the counter's queue of online submissions fills
    except Exception as e:  # the demo goes on without them
        progress(tr("Không tạo được hồ sơ trực tuyến mẫu: {error}").format(error=e))


SAMPLE_ONLINE = (("Phạm Thị Lan", "038185004321", "21/09/1985", "female", "0915 222 333"),
                 ("Hoàng Văn Đức", "038092007788", "03/11/1992", "male", "0983 444 555"),
                 ("Lê Thị Mai", "038197001122", "14/02/1997", "female", "0902 666 777"))


def _paper(title: str, lines: list[str]) -> bytes:
    """A paper as a phone photo of it would show it (a plain page: the demo has no camera)."""
    import io
    from PIL import Image, ImageDraw, ImageFont
    from .documents.fonts import FONT_DIR
    font = ImageFont.truetype(str(FONT_DIR / "NotoSans-Regular.ttf"), 34)
    bold = ImageFont.truetype(str(FONT_DIR / "NotoSans-Bold.ttf"), 44)
    page = Image.new("RGB", (1240, 1754), "white")
    d = ImageDraw.Draw(page)
    d.text((620, 160), title, font=bold, fill="black", anchor="mm")
    for i, line in enumerate(lines):
        d.text((120, 300 + 60 * i), line, font=font, fill="black")
    out = io.BytesIO()
    page.save(out, "JPEG", quality=85)
    return out.getvalue()


def online_samples(ctx, server_url: str, agency_code: str) -> int:
    """Three online submissions of birth registration, as citizens would send them from their
    phones, the first time the demo serves (none if the desk already has online dossiers)."""
    import re
    import httpx
    from sqlalchemy import func, select
    from .storage.models import Dossier
    with ctx.db.session(write=False) as s:
        if s.scalar(select(func.count()).select_from(Dossier).where(Dossier.channel == "online")):
            return 0
    made = 0
    with httpx.Client(base_url=server_url, timeout=120, headers={"Origin": server_url}) as http:
        for name, number, born, gender, phone in SAMPLE_ONLINE:
            r = http.post("/nop/%s/1.001193" % agency_code)
            if r.status_code != 303:
                return made
            link = r.headers["location"].split("?")[0]
            token = re.search(r'name="token" value="([0-9a-f]+)"', http.get(link).text).group(1)
            fields = {"token": token, "applicant_type": "individual", "owner.name": name, "owner.id_kind": "cccd",
                      "owner.id_number": number, "owner.birth_date": born, "owner.gender": gender,
                      "owner.phone": phone, "owner.address": "Phường Hạc Thành, tỉnh Thanh Hóa"}
            files = [("c0", ("to-khai.jpg", _paper("TỜ KHAI ĐĂNG KÝ KHAI SINH", ["Họ, chữ đệm, tên người yêu cầu: " + name,
                                                                              "Quan hệ với người được khai sinh: Mẹ"]),
                             "image/jpeg")),
                     ("c1", ("giay-chung-sinh.jpg", _paper("GIẤY CHỨNG SINH", ["Họ và tên mẹ: " + name,
                                                                              "Nơi sinh: Bệnh viện Đa khoa tỉnh"]),
                             "image/jpeg"))]
            http.post(link, data={**fields, "action": "save"}, files=files)
            r = http.post(link, data={**fields, "action": "submit"})
            made += r.status_code == 303
    return made

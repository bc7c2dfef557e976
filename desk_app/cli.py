"""The `desk-app` command: the application, the demo, and administrators' tools."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime, time
from pathlib import Path

from .domain.calendar import Deadline, TimeUnit, WorkCalendar
from .domain.i18n import tr
from .logs import to_data_dir
from .paths import default_data_dir

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="desk-app", description=tr("Phần mềm Bộ phận Một cửa"))
    p.add_argument("--data-dir", type=Path, default=None,
                   help=tr("thư mục dữ liệu của quầy (mặc định: thư mục dữ liệu người dùng)"))
    sub = p.add_subparsers(dest="command")
    d = sub.add_parser("demo", help=tr("tạo dữ liệu mẫu và mở ứng dụng"))
    d.add_argument("--no-gui", action="store_true", help=tr("chỉ tạo dữ liệu mẫu"))
    d.add_argument("--dossiers", type=int, default=320)
    d.add_argument("--reset", action="store_true", help=tr("xóa dữ liệu mẫu cũ và tạo lại"))
    d.add_argument("--serve", action="store_true",
                   help=tr("với --no-gui: chạy máy chủ trung tâm mẫu (quầy mẫu đã đồng bộ) đến khi dừng"))
    d.add_argument("--port", type=int, default=None, help=tr("cổng của máy chủ mẫu (mặc định 8700)"))
    d.add_argument("--no-server", action="store_true",
                   help=tr("mở ứng dụng mà không chạy máy chủ trung tâm mẫu"))
    r = sub.add_parser("receipt", help=tr("xuất giấy tiếp nhận của một hồ sơ ra tệp PDF"))
    r.add_argument("code")
    r.add_argument("-o", "--output", type=Path, required=True)
    r.add_argument("--new-key", action="store_true", help=tr("thay mã QR (mã QR cũ hết hiệu lực)"))
    r.add_argument("--user", default=None,
                   help=tr("ai in (tên đăng nhập của cán bộ trên quầy; mặc định: người dùng của máy)"))
    i = sub.add_parser("import-procedures", help=tr("nhập danh mục thủ tục từ CSV, XLSX hoặc JSON"))
    i.add_argument("file", type=Path)
    e = sub.add_parser("export-procedures", help=tr("xuất danh mục thủ tục ra JSON, CSV hoặc XLSX (theo đuôi tên tệp)"))
    e.add_argument("file", type=Path)
    sub.add_parser("verify-audit", help=tr("kiểm tra chuỗi băm của nhật ký sự kiện"))
    x = sub.add_parser("export-dvcqg", help=tr("xuất hồ sơ và quá trình xử lý theo trường dữ liệu Cổng DVCQG"))
    x.add_argument("--since", required=True, help="YYYY-MM-DD")
    x.add_argument("-o", "--output", type=Path, required=True)
    dd = sub.add_parser("due-date", help=tr("tính ngày hẹn trả theo lịch làm việc đã cấu hình"))
    dd.add_argument("--received", required=True, help="YYYY-MM-DDTHH:MM")
    g = dd.add_mutually_exclusive_group(required=True)
    g.add_argument("--working-days", type=float)
    g.add_argument("--days", type=float, help=tr("số ngày (dùng với --calendar-days)"))
    dd.add_argument("--calendar-days", action="store_true", help=tr("thời hạn tính theo ngày lịch"))
    dd.add_argument("--cutoff", help="HH:MM")
    sc = sub.add_parser("scan", help=tr("đọc mã QR và mã vạch trong tệp ảnh (PNG, JPEG) hoặc video"))
    sc.add_argument("paths", nargs="+", metavar="PATH")
    sc.add_argument("--json", action="store_true", help=tr("mỗi tệp một dòng JSON"))
    k = sub.add_parser("kiosk", help=tr("chạy kiosk tra cứu hồ sơ toàn màn hình cho người dân"))
    k.add_argument("--camera", type=int, default=None, help=tr("số thứ tự camera (mặc định: theo thiết lập)"))
    k.add_argument("--source", type=Path, default=None, help=tr("tệp video hoặc thư mục ảnh thay cho camera"))
    k.add_argument("--user", default="kiosk", help=tr("tài khoản kiosk"))
    k.add_argument("--windowed", action="store_true", help=tr("chạy trong cửa sổ (để thử)"))
    from central_server.cli import add_arguments as server_arguments
    server_arguments(sub.add_parser("server", help=tr("chạy máy chủ trung tâm của tỉnh, và các lệnh quản trị của nó")))
    en = sub.add_parser("enrol", help=tr("đăng ký quầy này với máy chủ trung tâm bằng mã dùng một lần"))
    en.add_argument("server_url", help="https://...")
    en.add_argument("code", help=tr("mã đăng ký do quản trị viên cấp"))
    en.add_argument("--name", default=None, help=tr("tên quầy"))
    sub.add_parser("sync", help=tr("đồng bộ một lần với máy chủ trung tâm"))
    return p


def _fail(message: str) -> int:
    print(tr("Lỗi: ") + message, file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    data_dir: Path = args.data_dir or default_data_dir()
    if args.command in ("due-date", "scan", "server"):  # no desk data: no desk log (the server keeps its own)
        return _command(args, data_dir)
    if args.command == "demo":
        return _demo(args, data_dir)  # logs in the demo's own folder, once a reset has emptied it
    with to_data_dir(data_dir):
        return _command(args, data_dir)


def _command(args, data_dir: Path) -> int:
    if args.command is None:
        from .ui.app import run
        return run(data_dir)
    if args.command == "due-date":
        return _due_date(args, data_dir)
    if args.command == "scan":
        from .scanner.files import scan_command
        return scan_command(args.paths, as_json=args.json)
    if args.command == "kiosk":
        from .ui.kiosk.app import run_kiosk
        return run_kiosk(data_dir, camera=args.camera, source=args.source, username=args.user,
                         windowed=args.windowed)
    if args.command == "server":
        from central_server.cli import run as run_server
        return run_server(args)
    from .services.context import ServiceError, open_desk
    ctx = open_desk(data_dir)
    try:
        if args.command == "import-procedures":
            from .services import catalogue
            report = catalogue.import_file(ctx, args.file)
            print(tr("Đã nhập: {added} thủ tục mới, {versions} phiên bản mới, {same} không đổi.")
                  .format(added=report.added, versions=report.new_versions, same=report.unchanged))
        elif args.command == "export-procedures":
            from .services import catalogue
            n = catalogue.export_file(ctx, args.file)   # .json, .csv or .xlsx by the name
            print(tr("Đã xuất {n} thủ tục ra {file}.").format(n=n, file=args.file))
        elif args.command == "verify-audit":
            from .services import audit
            result = audit.verify(ctx)
            if not result.ok:
                print(tr("CẢNH BÁO: chuỗi sự kiện bị phá vỡ tại sự kiện {id} (số {seq}): {reason}.")
                      .format(id=result.broken_event, seq=result.broken_seq, reason=result.reason))
                return 1
            print(tr("Nhật ký toàn vẹn: {n} sự kiện của {d} quầy.").format(n=result.events, d=result.desks))
        elif args.command == "export-dvcqg":
            from datetime import date
            from .services import dvcqg
            try:
                since = date.fromisoformat(args.since)
            except ValueError:
                return _fail(tr("--since phải có dạng YYYY-MM-DD"))
            n = dvcqg.export(ctx, since, args.output)
            print(tr("Đã xuất {n} hồ sơ ra {file}.").format(n=n, file=args.output))
        elif args.command in ("enrol", "sync"):
            return _sync_command(ctx, args)
        elif args.command == "receipt":
            from .services import receipts
            path = receipts.produce(ctx, _command_line_user(ctx, args.user), args.code.strip().upper(),
                                    replace_key=args.new_key, out=args.output)
            print(path)
    except ServiceError as e:
        return _fail(str(e))
    return 0


def _command_line_user(ctx, username: str | None):
    """Who the history names for a reprint from the command line: the desk's account of that
    name (``--user``), else the machine's user, marked as acting from the command line."""
    import getpass

    from .domain.roles import Role
    from .services import admin
    from .services.context import CurrentUser
    from .services.counter import CLI_ACTOR_PREFIX
    if username:
        known = next((p for p in admin.people(ctx) if p.username == username.strip()), None)
        if known is not None:
            return CurrentUser(0, known.username, known.full_name, known.role)
    else:
        try:
            username = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (a container)
            username = "?"
    name = "".join(ch for ch in username.strip() if ch.isprintable())[:40] or "?"
    return CurrentUser(0, CLI_ACTOR_PREFIX + name, name, Role.ADMIN)


def _sync_command(ctx, args) -> int:
    from .services import sync
    from .sync.client import SyncError
    if args.command == "enrol":
        info = sync.enrol(ctx, args.server_url, args.code, args.name)
        print(tr("Đã đăng ký quầy {desk} với máy chủ (cơ quan {agency}, đơn vị {units}).").format(
            desk=info["desk_id"], agency=info["agency_code"], units=", ".join(info["units"])))
        return 0
    sync.attach(ctx)
    try:
        r = sync.sync_once(ctx)
    except SyncError as e:
        return _fail(e.message)
    print(tr("Đã gửi {pushed} sự kiện ({conflicts} xung đột), nhận {pulled} sự kiện, {files} tệp đính kèm.")
          .format(pushed=r.pushed, conflicts=r.conflicts, pulled=r.pulled, files=r.downloaded))
    for w in r.warnings:
        print(w, file=sys.stderr)
    return 0


def _demo(args, data_dir: Path) -> int:
    demo_dir = data_dir / "demo" if args.data_dir is None else data_dir
    if args.reset and demo_dir.exists():
        import shutil
        shutil.rmtree(demo_dir)
    with to_data_dir(demo_dir):
        return _demo_in(args, demo_dir)


def _demo_in(args, demo_dir: Path) -> int:
    from .services import demo
    from .services.context import open_desk
    ctx = open_desk(demo_dir)
    from .services.setup import is_configured
    if not is_configured(ctx):
        print(tr("Đang tạo dữ liệu mẫu trong {dir} ...").format(dir=demo_dir), flush=True)
        demo.build(ctx, dossiers=args.dossiers)
    print(tr("Tài khoản mẫu (mật khẩu {pw}): admin, tiepnhan, chuyenvien, lanhdao, kiosk")
          .format(pw=demo.DEMO_PASSWORD))
    if args.no_gui and not args.serve:
        return 0
    server = None
    if not args.no_server or args.serve:
        from . import demo_serve
        try:
            server = demo_serve.start_server(demo_dir, args.port)
            demo_serve.connect_desk(ctx, server, demo_dir)
        except Exception as e:  # the desk works without it: say so, go on
            log.exception("demo server")
            if server is not None:
                server.stop()
            if args.serve:
                return _fail(tr("Không chạy được máy chủ mẫu: {error}").format(error=e))
            print(tr("Không chạy được máy chủ mẫu ({error}); ứng dụng vẫn mở, không đồng bộ.").format(error=e),
                  file=sys.stderr)
            server = None
        else:
            print(tr("Máy chủ trung tâm mẫu: {url} (điện thoại cùng mạng mở được mã QR trên giấy tiếp nhận "
                     "in từ dữ liệu mẫu; trang chủ: {url}/)").format(url=server.public_url), flush=True)
    try:
        if args.no_gui:
            print(tr("Đang phục vụ; bấm Ctrl+C để dừng."), flush=True)
            import signal
            import time as _time
            def stop(*_):
                raise KeyboardInterrupt
            signal.signal(signal.SIGTERM, stop)
            from .services import sync as sync_service
            try:
                while server.process.poll() is None:
                    _time.sleep(15)
                    try:  # what citizens wrote on their phones reaches the desk's database
                        sync_service.sync_once(ctx)
                    except Exception:
                        log.exception("demo sync")
            except KeyboardInterrupt:
                pass
            return 0
        ctx.db.dispose()
        from .ui.app import run
        return run(demo_dir)
    finally:
        if server is not None:
            server.stop()


def _due_date(args, data_dir: Path) -> int:
    try:
        received = datetime.fromisoformat(args.received)
    except ValueError:
        return _fail(tr("--received phải có dạng YYYY-MM-DDTHH:MM"))
    cutoff = None
    if args.cutoff:
        try:
            cutoff = time.fromisoformat(args.cutoff)
        except ValueError:
            return _fail(tr("--cutoff phải có dạng HH:MM"))
    amount = args.working_days if args.working_days is not None else args.days
    unit = TimeUnit.CALENDAR_DAYS if args.calendar_days else TimeUnit.WORKING_DAYS
    if amount < 0:
        return _fail(tr("Thời hạn không được âm."))
    calendar = _configured_calendar(data_dir)
    print(calendar.appointment(received, Deadline(amount, unit, cutoff)).isoformat(timespec="minutes"))
    return 0


def _configured_calendar(data_dir: Path) -> WorkCalendar:
    """The desk's own calendar if it has a database, else Vietnam's default one."""
    if (data_dir / "desk.sqlite3").exists():
        from .services.context import open_desk
        return open_desk(data_dir).calendar()
    return WorkCalendar.vietnam()


if __name__ == "__main__":
    sys.exit(main())

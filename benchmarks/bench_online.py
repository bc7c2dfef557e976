"""Online submission end to end, against the real server process (SQLite, one worker):

* upload resumption: a 12-megapixel phone photo sent in pieces, the connection cut in the
  middle of a piece (the piece dropped, as a lost mobile link does), then resumed from the
  server's offset: bytes sent again beyond the file's size (target: at most one piece);
* a submission of ten 12-megapixel photos sent whole by the plain form (JavaScript off, the
  worst case: nothing shrunk on the phone), one per request as a phone would: the time from
  the first byte to the last page made clean, then the submit itself (median of the ten
  uploads, and the total the citizen waits; target: the ten within 30 s on this 2-core machine,
  each photo's processing being the ``photos`` benchmark's figure plus the network).

    .venv/bin/python -m benchmarks.bench_online
"""

from __future__ import annotations

import re
import time

from benchmarks.common import Figure, median, report, tempdir


def run() -> None:
    import httpx

    from desk_app.services import sync
    from tests.central_server import kit
    from tests.central_server.online import photosim
    from tests.sync import desks

    tmp = tempdir()
    server = kit.ServerProcess("sqlite:///%s" % (tmp / "server.sqlite3"), tmp / "files", public_rate=1e9,
                               public_burst=10 ** 9, env={"DESK_SERVER_WEB_ONLINE_RATE_PER_SECOND": "1000",
                                                         "DESK_SERVER_WEB_ONLINE_BURST": "1000"}).start()
    try:
        agency = kit.new_agency()
        desk = desks.enrolled_desk(tmp, server, "quay-" + agency, agency, ["MOTCUA"])
        sync.sync_once(desk)
        photos = [photosim.photograph(photosim.paper_page(seed), seed=seed, sensor=(4000, 3000),
                                      orientation=6).jpeg for seed in range(1, 11)]
        http = httpx.Client(base_url=server.url, timeout=120, headers={"Origin": server.url})

        def draft() -> tuple[str, str]:
            r = http.post("/nop/%s/1.001193" % agency)
            link = r.headers["location"].split("?")[0]
            token = re.search(r'name="token" value="([0-9a-f]+)"', http.get(link).text).group(1)
            return link, token

        # -- resumption ---------------------------------------------------------------------
        link, token = draft()
        data = photos[0]
        h = {"X-Draft-Token": token}
        raw = {**h, "Content-Type": "application/octet-stream"}
        start = http.post(link + "/tai-len", json={"component": 0, "size": len(data), "name": "a.jpg"}, headers=h).json()
        piece, uid = start["piece"], start["id"]
        sent, offset, cut = 0, 0, False
        while offset < len(data):
            chunk = data[offset:offset + piece]
            sent += len(chunk)
            if not cut and offset >= len(data) // 2:  # the link drops: this piece never arrives
                cut = True
                offset = int(http.head(link + "/tai-len/" + uid).headers["upload-offset"])
                continue
            offset = http.put(link + "/tai-len/%s?offset=%d" % (uid, offset), content=chunk, headers=raw).json()["offset"]
        resent = sent - len(data)

        # -- ten photos, plain form ---------------------------------------------------------
        link, token = draft()
        fields = {"token": token, "owner.name": "Nguyễn Thị Hoa", "owner.id_kind": "cccd",
                  "owner.id_number": "038190000123", "owner.birth_date": "12/03/1990",
                  "owner.phone": "0912345678", "owner.address": "12 Lê Lợi, phường Hạc Thành"}
        times = []
        t_all = time.perf_counter()
        for i, p in enumerate(photos):
            t0 = time.perf_counter()
            r = http.post(link, data={**fields, "action": "save"}, files=[("c%d" % (i % 2), ("p%d.jpg" % i, p, "image/jpeg"))])
            assert r.status_code == 303, r.text[:300]
            times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        r = http.post(link, data={**fields, "action": "submit"})
        assert r.status_code == 303, r.text[:300]
        submit_s = time.perf_counter() - t0
        total = time.perf_counter() - t_all
    finally:
        server.stop()
    report("Online submission (real server, SQLite, one worker)", [
        Figure("bytes re-sent after a cut mid-file (piece %d KB)" % (piece // 1024), resent / 1024, "KB",
               piece / 1024),
        Figure("one 12 MP photo sent and made clean (median of 10)", median(times), "s", 2.0),
        Figure("submit of 10 photos in 2 components (assembling the PDFs)", submit_s, "s", 10.0),
        Figure("ten 12 MP photos, first byte to submitted", total, "s", 30.0),
    ])


if __name__ == "__main__":
    run()

"""``db.bulk_insert`` (COPY on PostgreSQL) stores what SQLAlchemy's INSERT stores: the same
rows read back, column by column, for the tables a push writes in bulk (dossier states with
columns left to their defaults, the units concerned, the notices with their JSON), on both
databases; and a default only an INSERT could compute is refused, not silently dropped."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, delete, insert, select

from central_server.db import bulk_insert
from central_server.models import DossierState, DossierUnit, NotifyOutbox
from tests.central_server import kit

AT = datetime(2026, 12, 2, 8, 30, 15, 123456)


def _state(code: str, agency: str) -> dict:
    # key_sha256, procedure_code, apology_reason... left out: their Python defaults
    return {"code": code, "agency_code": agency, "status": 2, "stage": "received", "received_at": AT,
            "due_at": AT, "origin_desk": "quầy-1", "last_seq": 7, "updated_at": AT,
            "procedure_name": "Đăng ký khai sinh \u2014 “kép”\ttab\\gạch", "holder_unit": None}


def _outbox(event_id: str, code: str, data) -> dict:
    return {"event_id": event_id, "channel": "zalo", "dossier_code": code, "kind": "received", "status": "pending",
            "attempts": 0, "next_attempt_at": AT, "created_at": AT, "sent_at": None, "via": None, "recipient": None,
            "provider_id": None, "last_error": "dòng 1\ndòng 2", "data": data}


def _read(s, table, where, skip=()) -> list[dict]:
    rows = s.execute(select(table).where(where).order_by(*table.primary_key.columns)).mappings()
    return [{k: v for k, v in r.items() if k not in skip} for r in rows]


def test_bulk_insert_stores_what_an_insert_stores(shared_server):
    db = shared_server.database()
    agency = kit.new_agency()
    states, units, notices = DossierState.__table__, DossierUnit.__table__, NotifyOutbox.__table__
    data = [{"user_id": "u-1", "tên": "Nguyễn Thị Ánh", "n": [1, 2.5, None, True]}, None, {}]
    with db.session() as s:
        for prefix, write in (("A", bulk_insert), ("B", lambda s, t, rows: s.execute(insert(t), rows))):
            write(s, states, [_state("%s-%s-%d" % (agency, prefix, i), agency) for i in range(3)])
            write(s, units, [{"dossier_code": "%s-%s-0" % (agency, prefix), "unit": u, "since_seq": n}
                             for n, u in enumerate(["MOTCUA", "STP"])])
            write(s, notices, [_outbox("%s-%s-e%d" % (agency, prefix, i), "%s-%s-0" % (agency, prefix), d)
                               for i, d in enumerate(data)])
    with db.session(write=False) as s:
        def both(table, column, skip=()):
            a = _read(s, table, column.like(agency + "-A%"), skip)
            b = _read(s, table, column.like(agency + "-B%"), skip)
            return a, b
        a, b = both(states, states.c.code)
        assert len(a) == 3 and [r.pop("code") for r in a] != [r.pop("code") for r in b] and a == b
        assert a[0]["key_sha256"] == "" and a[0]["paused_seconds"] == 0 and a[0]["received_at"] == AT
        a, b = both(units, units.c.dossier_code)
        assert [(r["unit"], r["since_seq"]) for r in a] == [(r["unit"], r["since_seq"]) for r in b] \
            == [("MOTCUA", 0), ("STP", 1)]
        a, b = both(notices, notices.c.event_id, skip=("id", "event_id", "dossier_code"))
        assert a == b and [r["data"] for r in a] == data
    with db.session() as s:
        for table, column in ((notices, notices.c.event_id), (units, units.c.dossier_code), (states, states.c.code)):
            s.execute(delete(table).where(column.like(agency + "-%")))
    db.dispose()


def test_a_default_only_an_insert_computes_is_refused(shared_server):
    """PostgreSQL's COPY cannot compute it: refused; SQLite's path is SQLAlchemy's INSERT, which does."""
    metadata = MetaData()
    table = Table("bulk_probe_%s" % kit.new_agency().lower(), metadata, Column("a", Integer),
                  Column("b", Integer, default=lambda: 1))
    db = shared_server.database()
    with db.session() as s:
        metadata.create_all(s.connection())
    if shared_server.backend == "postgresql":
        with pytest.raises(ValueError, match=table.name + ".b"):
            with db.session() as s:
                bulk_insert(s, table, [{"a": 1}])
    else:
        with db.session() as s:
            bulk_insert(s, table, [{"a": 1}])
        with db.session(write=False) as s:
            assert s.execute(select(table.c.a, table.c.b)).all() == [(1, 1)]
    with db.session() as s:
        metadata.drop_all(s.connection())
    db.dispose()

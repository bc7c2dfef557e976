"""Form numbers (Mẫu 02/03/04) never collide between desks, offline included: each desk spends the
block of every series the server leased it at enrolment, as it does with dossier codes."""

from __future__ import annotations

from desk_app.domain.forms import FormKind, parse_form_number
from desk_app.services import forms, workflow
from tests.central_server import kit
from tests.central_server.conftest import backend, server, server_factory, shared_server  # noqa: F401
from tests.sync import desks


def test_two_desks_offline_on_the_same_day_never_print_the_same_number(server_factory, backend, tmp_path):
    server = server_factory(backend)
    agency = kit.new_agency()
    a = desks.enrolled_desk(tmp_path, server, "quay-a-" + agency, agency, ["MOTCUA"])
    b = desks.enrolled_desk(tmp_path, server, "quay-b-" + agency, agency, ["MOTCUA"])
    server.kill()                                    # both work offline from here
    numbers = []
    for ctx in (a, b, a, b, a, b):
        code = desks.intake(ctx)
        workflow.refuse(ctx, ctx.clerk, code, ["Hồ sơ không thuộc thẩm quyền"])
        papers = [p for p in forms.printed_papers(ctx, ctx.clerk, code) if p.kind is FormKind.REFUSAL]
        numbers.append(papers[0].number)
    assert len(set(numbers)) == len(numbers) == 6
    year = a.clock().year
    assert all(parse_form_number(n)[1:] == (year, "TB-TC") for n in numbers)
    # each desk counts up within its own block
    mine_a = [parse_form_number(n)[0] for n in numbers[0::2]]
    mine_b = [parse_form_number(n)[0] for n in numbers[1::2]]
    assert mine_a == sorted(mine_a) and mine_b == sorted(mine_b) and not set(mine_a) & set(mine_b)

#!/usr/bin/env python3
"""Writes the small files of the bad-input catalogue (tests/data/bad/*.json).

Each file is one malformed or invalid model; tests/cli/bad.cmake lists the expected exit
code and message of each. The big cases (100k-deep chain, 1 MB id, 10^5 links, 100k-deep
nesting) are generated at test time by generate_big.cmake. Run from anywhere:
    python3 tests/data/bad/make_catalogue.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def model(units=None, links=None, **top):
    m = {"name": "bad"}
    m.update(top)
    m["units"] = units if units is not None else [
        {"id": "desk", "service_time": 0.5},
        {"id": "cust", "external": True, "demand": 1},
    ]
    m["links"] = links if links is not None else [{"from": "desk", "to": "cust"}]
    return m


def text(m):
    return json.dumps(m, indent=1, ensure_ascii=False)


def desk(**kw):
    u = {"id": "desk", "service_time": 0.5}
    u.update(kw)
    return model(units=[u, {"id": "cust", "external": True, "demand": 1}])


def cust(**kw):
    u = {"id": "cust", "external": True}
    u.update(kw)
    return model(units=[{"id": "desk", "service_time": 0.5}, u])


def link(**kw):
    l = {"from": "desk", "to": "cust"}
    l.update(kw)
    return model(links=[l])


VALID = text(model())
CASES = {
    # ---- syntax
    "empty.json": b"",
    "whitespace_only.json": b"  \n\t \n",
    "bom_only.json": b"\xef\xbb\xbf",
    "bom_model.json": b"\xef\xbb\xbf" + VALID.encode(),
    "truncated_object.json": VALID[: len(VALID) // 2],
    "truncated_in_string.json": '{"name": "ba',
    "truncated_after_key.json": '{"name":',
    "trailing_garbage.json": VALID + "\n}",
    "two_documents.json": VALID + "\n" + VALID,
    "single_quotes.json": "{'name': 'bad', 'units': []}",
    "trailing_comma.json": '{"name": "bad", "units": [],}',
    "comment.json": '// a model\n{"units": []}',
    "nan_literal.json": VALID.replace('"service_time": 0.5', '"service_time": NaN'),
    "infinity_literal.json": VALID.replace('"demand": 1', '"demand": Infinity'),
    "minus_infinity_literal.json": VALID.replace('"demand": 1', '"demand": -Infinity'),
    "number_1e400.json": VALID.replace('"demand": 1', '"demand": 1e400'),
    "number_minus_1e400.json": VALID.replace('"service_time": 0.5', '"service_time": -1e400'),
    "hex_number.json": VALID.replace('"demand": 1', '"demand": 0x10'),
    "leading_zero.json": VALID.replace('"demand": 1', '"demand": 01'),
    "control_char_in_string.json": '{"name": "a\tb", "units": []}',
    "bad_escape.json": '{"name": "a\\qb", "units": []}',
    "lone_surrogate.json": '{"name": "\\ud800", "units": []}',
    "truncated_unicode_escape.json": '{"name": "\\u00", "units": []}',
    "non_utf8_id.json": VALID.encode().replace(b'"desk"', b'"d\xff\xfek"', 1),
    "non_utf8_key.json": VALID.encode().replace(b'"service_time"', b'"service\xc0\xafe"', 1),
    "overlong_utf8.json": b'{"name": "\xc0\x80", "units": []}',
    "nul_byte.json": b'{"name": "bad"\x00, "units": []}',
    # ---- shape
    "top_level_array.json": "[]",
    "top_level_number.json": "42",
    "top_level_null.json": "null",
    "missing_units.json": '{"name": "bad"}',
    "units_not_array.json": '{"units": {"desk": 1}}',
    "links_not_array.json": '{"units": [], "links": "desk->cust"}',
    "unit_not_object.json": '{"units": [42]}',
    "link_not_object.json": text(model(links=[["desk", "cust"]])),
    "nested_arrays_in_units.json": '{"units": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}',
    "unknown_key.json": text(desk(sevice_time=1)),
    "duplicate_key.json": '{"units": [{"id": "desk", "id": "desk2", "service_time": 1}]}',
    "id_not_string.json": text(model(units=[{"id": 7, "service_time": 1}])),
    "missing_id.json": text(model(units=[{"service_time": 1}], links=[])),
    "servers_string.json": text(desk(servers="many")),
    "servers_fraction.json": text(desk(servers=2.5)),
    "servers_1e30.json": text(desk(servers=1e30)),
    "servers_2_pow_64.json": VALID.replace('"service_time": 0.5', '"service_time": 0.5, "servers": 18446744073709551616'),
    "service_time_string.json": text(desk(service_time="0.5")),
    "service_time_bool.json": text(desk(service_time=True)),
    "external_string.json": text(cust(external="yes", demand=1)),
    "mode_unknown.json": text(link(mode="sometimes")),
    "discipline_unknown.json": text(desk(discipline="lifo")),
    "population_fraction.json": text(cust(population=2.5)),
    "priority_fraction.json": text(link(priority=0.5)),
    "ratings_not_object.json": text(link(ratings=[1, 2])),
    "ratings_unknown_need.json": text(link(ratings={"happy": 3})),
    # 50 units with an unknown key each: the message lists 20 and counts the rest.
    "many_shape_problems.json": text(model(units=[{"id": f"u{i}", "service_time": 1, "colour": "red"}
                                                  for i in range(50)], links=[])),
    # ---- model rules
    "negative_demand.json": text(cust(demand=-1)),
    "negative_service_time.json": text(desk(service_time=-0.5)),
    "zero_service_time.json": text(desk(service_time=0)),
    "subnormal_service_time.json": text(desk(service_time=5e-324)),
    "negative_scv.json": text(desk(service_scv=-1)),
    "negative_cost.json": text(desk(cost_per_time=-3)),
    "negative_requests.json": text(link(requests=-0.5)),
    "acceptance_zero.json": text(link(acceptance=0)),
    "acceptance_above_one.json": text(link(acceptance=1.5)),
    "yield_zero.json": text(desk(**{"yield": 0})),
    "servers_zero.json": text(desk(servers=0)),
    "servers_negative.json": text(desk(servers=-2)),
    "empty_id.json": text(model(units=[{"id": "", "service_time": 1}], links=[])),
    "duplicate_id.json": text(model(units=[{"id": "desk", "service_time": 1}, {"id": "desk", "service_time": 2},
                                           {"id": "cust", "external": True, "demand": 1}])),
    "link_unknown_from.json": text(link(**{"from": "dsek"})),
    "link_unknown_to.json": text(link(to="nobody")),
    "link_self.json": text(link(to="desk")),
    "link_from_external.json": text(model(links=[{"from": "cust", "to": "desk"}])),
    "population_zero.json": text(cust(population=0)),
    "population_negative.json": text(cust(population=-3)),
    "demand_and_population.json": text(cust(demand=1, population=3)),
    "no_demand_no_population.json": text(cust()),
    "think_time_negative.json": text(cust(population=3, think_time=-1)),
    "think_time_open_class.json": text(cust(demand=1, think_time=2)),
    "internal_with_demand.json": text(desk(demand=2)),
    "ratings_out_of_range.json": text(link(ratings={"friendly": 7})),
    "link_service_time_zero.json": text(link(service_time=0)),
    # Loops of mutual service: gain exactly 1 and above (a -> b -> a).
    "loop_gain_one.json": text(model(
        units=[{"id": "a", "service_time": 0.1}, {"id": "b", "service_time": 0.1},
               {"id": "cust", "external": True, "demand": 1}],
        links=[{"from": "a", "to": "cust"}, {"from": "b", "to": "a"}, {"from": "a", "to": "b"}])),
    "loop_gain_two.json": text(model(
        units=[{"id": "a", "service_time": 0.1}, {"id": "b", "service_time": 0.1},
               {"id": "cust", "external": True, "demand": 1}],
        links=[{"from": "a", "to": "cust"}, {"from": "b", "to": "a", "requests": 2}, {"from": "a", "to": "b"}])),
    "loop_gain_one_three_units.json": text(model(
        units=[{"id": "a", "service_time": 0.1}, {"id": "b", "service_time": 0.1}, {"id": "c", "service_time": 0.1},
               {"id": "cust", "external": True, "demand": 1}],
        links=[{"from": "a", "to": "cust"}, {"from": "b", "to": "a", "requests": 0.5},
               {"from": "c", "to": "b", "requests": 4}, {"from": "a", "to": "c", "requests": 0.5}])),
    # ---- numerically extreme but loadable
    "saturated.json": text(cust(demand=3)),
    "saturated_exactly.json": text(cust(demand=2)),
    "demand_1e308.json": text(cust(demand=1e308)),
    "service_time_1e308.json": text(desk(service_time=1e308)),
    "demand_subnormal.json": text(cust(demand=5e-324)),
    "acceptance_subnormal.json": text(link(acceptance=5e-324)),
    "requests_1e308.json": text(link(requests=1e308)),
    "cost_1e308.json": text(desk(cost_per_time=1e308, cost_per_request=1e308)),
    "servers_1e10.json": text(desk(servers=10**10)),
    "servers_1e18_closed.json": text(model(
        units=[{"id": "desk", "service_time": 0.5, "servers": 10**18},
               {"id": "cust", "external": True, "population": 3, "think_time": 1}])),
    "population_1e9.json": text(cust(population=10**9)),
    "priority_on_fifo_unit.json": text(link(priority=3)),
}


def main():
    for name, content in CASES.items():
        data = content if isinstance(content, bytes) else content.encode()
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
    print(f"{len(CASES)} files written to {HERE}")


if __name__ == "__main__":
    main()

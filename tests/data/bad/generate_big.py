#!/usr/bin/env python3
"""Writes the big cases of the bad-input catalogue into a build directory, so that no
megabytes are committed. Run at test time by tests/cli/bad.cmake (a ctest fixture):
    python3 generate_big.py OUTDIR
"""
import os
import sys

N = 100_000
MIB = 1 << 20


def write(out, name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    # A chain 100 000 units deep: cust <- u0 <- u1 <- ... <- u99999. Valid; the analyses must
    # not recurse along it.
    units = ",\n".join(f'{{"id":"u{i}","service_time":1e-6}}' for i in range(N))
    chain = ",\n".join(f'{{"from":"u{i}","to":"u{i - 1}"}}' for i in range(1, N))
    cust = '{"id":"cust","external":true,"demand":1}'
    write(out, "deep_chain_100k.json",
          f'{{"units":[{units},\n{cust}],\n"links":[{{"from":"u0","to":"cust"}},\n{chain}]}}\n')
    # The same chain closed into a loop of gain exactly 1 at its far end: u99999 is served by u0.
    write(out, "deep_loop_gain_one_100k.json",
          f'{{"units":[{units},\n{cust}],\n"links":[{{"from":"u0","to":"cust"}},\n{chain},\n'
          f'{{"from":"u0","to":"u{N - 1}"}}]}}\n')
    # One unit with 10^5 links: the customer is served by 100 000 providers.
    providers = "".join(f',\n{{"id":"p{i}","service_time":1e-6}}' for i in range(N))
    plinks = ",\n".join(f'{{"from":"p{i}","to":"cust"}}' for i in range(N))
    write(out, "links_100k.json", f'{{"units":[{cust}{providers}],\n"links":[{plinks}]}}\n')
    # 100 000 customers of one desk: per-class tables of 10^5 units x 10^5 classes.
    customers = "".join(f',\n{{"id":"c{i}","external":true,"demand":1e-6}}' for i in range(N))
    desk = '{"id":"desk","service_time":1,"servers":2}'
    links = ",\n".join(f'{{"from":"desk","to":"c{i}"}}' for i in range(N))
    write(out, "customers_100k.json", f'{{"units":[{desk}{customers}],\n"links":[{links}]}}\n')
    # The same, but all 10^5 links fail validation: the message must stay bounded.
    bad = links.replace('"to":', '"requests":-1,"to":')
    write(out, "links_100k_all_invalid.json", f'{{"units":[{desk}{customers}],\n"links":[{bad}]}}\n')
    # Ids, keys, strings and numbers of 1 MiB.
    mib = "x" * MIB
    digits = "9" * MIB
    base = '{"id":"desk","service_time":1},{"id":"cust","external":true,"demand":1}'
    write(out, "id_1mb_valid.json",
          f'{{"units":[{{"id":"{mib}","service_time":0.5}},{cust}],"links":[{{"from":"{mib}","to":"cust"}}]}}\n')
    write(out, "id_1mb_unknown_link.json", f'{{"units":[{base}],"links":[{{"from":"{mib}","to":"cust"}}]}}\n')
    # A link to a 1 MiB id one byte off a unit's 1 MiB id: no quadratic "did you mean".
    write(out, "id_1mb_misspelt.json",
          f'{{"units":[{{"id":"{mib}","service_time":1}},{cust}],"links":[{{"from":"{mib}y","to":"cust"}}]}}\n')
    write(out, "id_1mb_duplicate.json",
          f'{{"units":[{base},{{"id":"{mib}","service_time":1}},{{"id":"{mib}","service_time":2}}]}}\n')
    write(out, "id_1mb_saturated.json",
          f'{{"units":[{{"id":"{mib}","service_time":2}},{cust}],"links":[{{"from":"{mib}","to":"cust"}}]}}\n')
    write(out, "key_1mb.json", f'{{"units":[{base}],"{mib}":1}}\n')
    write(out, "mode_1mb.json", f'{{"units":[{base}],"links":[{{"from":"desk","to":"cust","mode":"{mib}"}}]}}\n')
    write(out, "string_1mb_truncated.json", f'{{"units":[{{"id":"{mib}')
    write(out, "string_1mb_non_utf8.json", f'{{"units":[{{"id":"{mib}'.encode() + b'\xff"}]}\n')
    write(out, "number_1mb_digits.json",
          f'{{"units":[{{"id":"desk","service_time":1}},{{"id":"cust","external":true,"demand":{digits}}}]}}\n')
    write(out, "number_1mb_fraction.json",
          f'{{"units":[{{"id":"desk","service_time":0.{digits}}},{cust}],"links":[{{"from":"desk","to":"cust"}}]}}\n')
    # Arrays and objects nested 100 000 deep.
    write(out, "nested_100k.json", '{"units":' + "[" * N + "]" * N + "}\n")
    write(out, "nested_100k_open.json", '{"units":' + "[" * N)
    write(out, "nested_objects_100k.json",
          '{"units":[],"links":[{"ratings":' + '{"a":' * N + "1" + "}" * N + "}]}\n")


if __name__ == "__main__":
    main()

# `servicechain contributions` (docs/sensitivities.md), on one M/M/1 desk (s = 0.5, λ = 1):
# L = s/(1 − λs) = 1, dL/ds = 1/(1 − λs)² = 4 (elasticity 2), dL/dλ = s²/(1 − λs)² = 1
# (elasticity 1); one more server: M/M/2, W = 0.5 + 0.1·0.5/1.5, a change of −0.46667;
# one less: none (null).
set(contrib_mm1 ${cli_data}/contributions_mm1.json)
servicechain_cli_test(contributions.json EXIT 0 ARGS contributions ${contrib_mm1} --kpi lead_time --format json
  STDERR_EMPTY JSON_KEYS sensitivities servers kpis
  STDOUT_MATCHES
    [=[[{]
      "kpi": "lead_time",
      "customer": "client",
      "parameter": "units/desk/service_time",
      "value": 0\.5,
      "derivative": (4\.0|3\.99999999999[0-9]*|4\.00000000000[0-9]*),
      "elasticity": (2\.0|1\.99999999999[0-9]*|2\.00000000000[0-9]*)
    [}]]=]
    [=[[{]
      "kpi": "lead_time",
      "customer": "client",
      "parameter": "customers/client/demand",
      "value": 1\.0,
      "derivative": (1\.0|0\.99999999999[0-9]*|1\.00000000000[0-9]*),
      "elasticity": (1\.0|0\.99999999999[0-9]*|1\.00000000000[0-9]*)
    [}]]=]
    [=[[{]
      "unit": "desk",
      "servers": 1,
      "kpi": "lead_time",
      "customer": "client",
      "plus_one": -0\.4666666666666[0-9]*,
      "minus_one": null
    [}]]=])
servicechain_cli_test(contributions.table EXIT 0 ARGS contributions ${contrib_mm1} STDERR_EMPTY
  STDOUT_MATCHES [[what to fix first]] [[units/desk/service_time +0\.5 +4 +2]] [[max demand scale]])
servicechain_cli_test(contributions.csv EXIT 0 ARGS contributions ${contrib_mm1} --format csv --top 1 --kpi cost
  STDERR_EMPTY STDOUT_MATCHES [[^section,kpi,customer,parameter,value,derivative,elasticity,plus_one,minus_one]])
servicechain_cli_test(contributions.unknown_customer EXIT 1
  ARGS contributions ${contrib_mm1} --customer nobody STDOUT_EMPTY STDERR_MATCHES [[nobody]])
servicechain_cli_test(contributions.internal_customer EXIT 1
  ARGS contributions ${contrib_mm1} --customer desk STDOUT_EMPTY STDERR_MATCHES [[desk.*internal]])
servicechain_cli_test(contributions.bad_kpi EXIT 2
  ARGS contributions ${contrib_mm1} --kpi speed STDOUT_EMPTY STDERR_MATCHES [[speed]])
servicechain_cli_test(contributions.saturated EXIT 3
  ARGS contributions ${cli_data}/saturated.json STDOUT_EMPTY)
servicechain_cli_test(contributions.closed EXIT 1
  ARGS contributions ${cli_data}/closed_two_units.json STDOUT_EMPTY STDERR_MATCHES [[closed classes]])

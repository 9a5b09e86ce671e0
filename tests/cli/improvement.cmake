# servicechain shapley / allocate / needs (docs/contribution.md). Included from CMakeLists.txt.

# ---------------------------------------------------------------- shapley
# Serial line, capacities (10, 6, 8), each player +5, throughput: φ = (1/3, 10/3, 4/3),
# knock-out (1, 5, 3), total gain 11 − 6 = 5, interaction 5 − 2 = 3 (docs/contribution.md).
servicechain_cli_test(shapley.serial_json EXIT 0
  ARGS shapley ${cli_data}/serial_line.json --programme ${cli_data}/serial_line_programme.json --format json
  STDERR_EMPTY JSON_KEYS players total_gain interaction kpi_before kpi_after
  STDOUT_MATCHES [["name": "a\+5",
 *"shapley": 0\.33333333]] [["shapley": 3\.33333333]] [["shapley": 1\.33333333]]
                 [["knock_out": 5\.0]] [["total_gain": 5\.0]] [["interaction": 3\.0]] [["kpi_before": 6\.0]]
                 [["standard_error": 0\.0]] [["exact": true]])
servicechain_cli_test(shapley.serial_table EXIT 0
  ARGS shapley ${cli_data}/serial_line.json --programme ${cli_data}/serial_line_programme.json
  STDERR_EMPTY STDOUT_MATCHES [[KPI: throughput of 'customer']] "\nb\\+5 +3\\.333 +0 +2 +5 +66\\.67\n"
                              [[Interaction .total gain − Σ standalone.: 3 — the players gain more together]]
                              [[Exact: all 8 coalitions evaluated]])
servicechain_cli_test(shapley.serial_csv EXIT 0
  ARGS shapley ${cli_data}/serial_line.json --programme ${cli_data}/serial_line_programme.json --format csv
  STDERR_EMPTY STDOUT_MATCHES "^player,shapley,standard_error,standalone,knock_out,share_of_gain" "\nc\\+5,1\\.3333")
# The bundled example programme runs on the bank.
servicechain_cli_test(shapley.example_bank EXIT 0
  ARGS shapley ${cli_models}/retail_bank.json --programme ${PROJECT_SOURCE_DIR}/examples/programmes/retail_bank.json
       --format json
  STDERR_EMPTY JSON_KEYS players total_gain interaction STDOUT_MATCHES [["name": "complete loan files"]])
servicechain_cli_test(shapley.bad_path EXIT 1
  ARGS shapley ${cli_data}/serial_line.json --programme ${cli_data}/bad_programme.json
  STDOUT_EMPTY STDERR_MATCHES "${failure_prefix}" [[bad_programme\.json \(/players/1/set/units~1bb~1servers\)]]
                              [[player 'typo']] [['bb']])
servicechain_cli_test(shapley.missing_programme EXIT 2 ARGS shapley ${cli_data}/serial_line.json
  STDOUT_EMPTY STDERR_MATCHES [[--programme]])
servicechain_cli_test(shapley.no_programme_file EXIT 1
  ARGS shapley ${cli_data}/serial_line.json --programme ${cli_data}/no_such_programme.json
  STDOUT_EMPTY STDERR_MATCHES [[no_such_programme\.json]])

# ---------------------------------------------------------------- allocate
# λ = (3, 1.5), s = 1, one server each, 6 more (8 in all): (4, 2) to be stable, then (5, 3);
# mean lead time (L(5 servers, 3) + L(3, 1.5))/4.5 = 1.13134878 (tests/analysis/allocation_test.cpp).
servicechain_cli_test(allocate.two_queues_json EXIT 0 ARGS allocate ${cli_data}/two_queues.json --budget 6 --format json
  STDERR_EMPTY JSON_KEYS allocation objective_before objective_after notes
  STDOUT_MATCHES [["unit": "a",
 *"servers_added": 4]] [["unit": "b",
 *"servers_added": 2]] [["objective_before": null]] [["objective_after": 1\.13134878]])
servicechain_cli_test(allocate.two_queues_table EXIT 0 ARGS allocate ${cli_data}/two_queues.json --budget 6 --square-root
  STDERR_EMPTY STDOUT_MATCHES [[Note: made stable first: 'a' 3 more]] [[Demand-weighted mean lead time .hour.: before — .saturated., after 1\.13135]]
                              [[Square-root assignment]])
servicechain_cli_test(allocate.budget_too_small EXIT 1 ARGS allocate ${cli_data}/two_queues.json --budget 2
  STDOUT_EMPTY STDERR_MATCHES "${failure_prefix}" [[cannot make every unit stable]] [[4 servers in all]])
servicechain_cli_test(allocate.bank_money EXIT 0 ARGS allocate ${cli_models}/retail_bank.json --budget 500 --money --format json
  STDERR_EMPTY JSON_KEYS allocation objective_before objective_after STDOUT_MATCHES [["budget_kind": "money"]])
servicechain_cli_test(allocate.missing_budget EXIT 2 ARGS allocate ${cli_data}/two_queues.json
  STDOUT_EMPTY STDERR_MATCHES [[--budget]])
servicechain_cli_test(allocate.unknown_unit EXIT 1 ARGS allocate ${cli_data}/two_queues.json --budget 6 --unit nobody
  STDOUT_EMPTY STDERR_MATCHES [['nobody']])

# ---------------------------------------------------------------- needs
servicechain_cli_test(needs.bank_table EXIT 0 ARGS needs ${cli_models}/retail_bank.json
  STDERR_EMPTY STDOUT_MATCHES [[Internal service index per unit]] [[Importance–performance by link]]
                              [[Unrated links]] [[credit_risk -> loan_operations]])
# By flow the loan links are small (about 1% each): below the default threshold (the rated
# links' mean) they are "low priority"; with the threshold lowered to 1% they come to the top.
servicechain_cli_test(needs.bank_json EXIT 0 ARGS needs ${cli_models}/retail_bank.json --importance flow --format json
  STDERR_EMPTY JSON_KEYS importance_threshold performance_threshold links units unrated
  STDOUT_MATCHES [["importance_basis": "flow"]] [["quadrant": "low priority"]] [["quadrant": "keep up the good work"]])
servicechain_cli_test(needs.bank_threshold EXIT 0
  ARGS needs ${cli_models}/retail_bank.json --importance flow --importance-threshold 0.01 --format json
  STDERR_EMPTY STDOUT_MATCHES [["importance_threshold": 0\.01]] [["from": "loan_officers",
 *"to": "credit_risk",
 *"importance": 0\.010[0-9]*,
 *"performance": 2\.66[0-9]*,
 *"quadrant": "concentrate here"]])
servicechain_cli_test(needs.bad_threshold EXIT 2 ARGS needs ${cli_models}/retail_bank.json --importance-threshold 2
  STDOUT_EMPTY STDERR_MATCHES [[importance-threshold]])
servicechain_cli_test(needs.saturated EXIT 3 ARGS needs ${cli_data}/saturated.json STDOUT_EMPTY)
servicechain_cli_test(needs.saturated_flow EXIT 0 ARGS needs ${cli_data}/saturated.json --importance flow STDERR_EMPTY
  STDOUT_MATCHES [[No link has ratings]])

# Closed classes: flow importance at the mean-value throughputs; lead-time importance refused.
servicechain_cli_test(needs.closed_flow EXIT 0 ARGS needs ${cli_models}/claims_office.json --importance flow --format json
  STDERR_EMPTY JSON_KEYS links units unrated STDOUT_MATCHES "\"importance\": 0\\.[0-9]")
servicechain_cli_test(needs.closed_lead_time EXIT 1 ARGS needs ${cli_models}/claims_office.json
  STDOUT_EMPTY STDERR_MATCHES [[customer 'brokers' is a closed class]])
servicechain_cli_test(allocate.closed EXIT 1 ARGS allocate ${cli_models}/claims_office.json --budget 2
  STDOUT_EMPTY STDERR_MATCHES [[closed classes]])
# More players than exact_limit: sampled, with standard errors, reproducible by seed.
servicechain_cli_test(shapley.sampled EXIT 0
  ARGS shapley ${cli_data}/serial_line.json --programme ${cli_data}/serial_line_sampled.json --format json
  STDERR_EMPTY STDOUT_MATCHES [["exact": false]] [["pairs": 400]] [["total_gain": 5\.0]])
servicechain_cli_test(shapley.closed_lead_time EXIT 1
  ARGS shapley ${cli_models}/claims_office.json --programme ${cli_data}/claims_programme.json
  STDOUT_EMPTY STDERR_MATCHES [[kpi mean_lead_time needs open-network waits]])
servicechain_cli_test(allocate.bank_value_square_root EXIT 0
  ARGS allocate ${cli_models}/retail_bank.json --budget 2 --weight value --square-root --format json
  STDERR_EMPTY JSON_KEYS allocation objective_before objective_after square_root
  STDOUT_MATCHES [["objective": "value-weighted mean lead time"]] [["relaxed_objective": ]])

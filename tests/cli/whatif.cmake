# CLI tests of `servicechain whatif`, `sweep` and `knockout` (included from CMakeLists.txt).
# Hand-worked figures: tests/cli/data/mm1_hourly.json (M/M/1, mu = 4, lambda = 2 x scale,
# W = 1/(mu - lambda)) and knockout_chain.json (its description).

# ---------------------------------------------------------------- whatif
servicechain_cli_test(whatif.table EXIT 0 ARGS whatif ${cli_models}/retail_bank.json --set units/credit_risk/servers=5
  STDERR_EMPTY STDOUT_MATCHES "^What-if: retail_bank " [[set units/credit_risk/servers: 4 -> 5]]
  "\ncredit_risk +0\\.8654 +0\\.6923 ")
servicechain_cli_test(whatif.json EXIT 0 ARGS whatif ${cli_data}/mm1_hourly.json --set units/desk/service_time=0.4 --format json
  STDERR_EMPTY JSON_KEYS scenario total_cost mean_lead_time customers units links
  # W = 1/(2.5 - 2) = 2 h, from 0.5 h.
  STDOUT_MATCHES "\"lead_time\": {\n *\"before\": 0\\.5,\n *\"after\": 2\\.0[0-9]*,\n *\"difference\": 1\\.5"
                 [["parameter": "units/desk/service_time"]])
servicechain_cli_test(whatif.scale_csv EXIT 0 ARGS whatif ${cli_data}/mm1_hourly.json --scale-demand 1.5 --format csv
  STDERR_EMPTY STDOUT_MATCHES "^scope,id,kpi,before,after,difference\n" "\ncustomer,walk_in,lead_time,0\\.5,1,0\\.5\n"
  "\ncustomer,walk_in,demand,2,3,1\n")
servicechain_cli_test(whatif.bad_path EXIT 1 ARGS whatif ${cli_models}/retail_bank.json --set units/credit_rsk/service_time=1
  STDOUT_EMPTY STDERR_MATCHES "${failure_prefix}parameter 'units/credit_rsk/service_time': no unit with id 'credit_rsk' \\(did you mean 'credit_risk'\\?\\)")
servicechain_cli_test(whatif.bad_field EXIT 1 ARGS whatif ${cli_data}/mm1_hourly.json --set units/desk/servce_time=1
  STDOUT_EMPTY STDERR_MATCHES [[unknown field 'servce_time' of a unit \(did you mean 'service_time'\?\)]])
servicechain_cli_test(whatif.missing_link EXIT 1 ARGS whatif ${cli_data}/mm1_hourly.json --set links/walk_in/desk/requests=2
  STDOUT_EMPTY STDERR_MATCHES [[no link from 'walk_in' to 'desk' \(there is one from 'desk' to 'walk_in'\)]])
servicechain_cli_test(whatif.bad_value EXIT 1 ARGS whatif ${cli_data}/mm1_hourly.json --set units/desk/service_time=-1
  STDOUT_EMPTY STDERR_MATCHES "${failure_prefix}parameter 'units/desk/service_time' = -1: unit 'desk'")
servicechain_cli_test(whatif.not_a_number EXIT 1 ARGS whatif ${cli_data}/mm1_hourly.json --set units/desk/service_time=slow
  STDOUT_EMPTY STDERR_MATCHES [[value 'slow' is not a finite number]])
servicechain_cli_test(whatif.bad_scale EXIT 1 ARGS whatif ${cli_data}/mm1_hourly.json --scale-demand -2
  STDOUT_EMPTY STDERR_MATCHES [[demand scale = -2]])
# lambda = 5 > mu = 4: exit 3 as analyze, the unit named.
servicechain_cli_test(whatif.saturated_scenario EXIT 3 ARGS whatif ${cli_data}/mm1_hourly.json --scale-demand 2.5
  STDOUT_EMPTY STDERR_MATCHES [[the scenario saturates the model]] [[unit 'desk': utilization = 1\.25, but must be < 1]])
servicechain_cli_test(whatif.saturated_model EXIT 3 ARGS whatif ${cli_data}/saturated.json
  STDOUT_EMPTY STDERR_MATCHES [[unit 'desk': utilization = 1\.5]])
servicechain_cli_test(whatif.closed EXIT 1 ARGS whatif ${cli_data}/closed_two_units.json
  STDOUT_EMPTY STDERR_MATCHES [[closed classes]])
servicechain_cli_test(whatif.missing_model EXIT 2 ARGS whatif STDOUT_EMPTY STDERR_MATCHES [[MODEL]])

# whatif --set equals editing the file and running analyze; no edits change nothing.
foreach(check IN ITEMS "equals_analyze;retail_bank;credit_risk;0.2" "equals_analyze;hospital;lab;0.07"
                       "no_edits;retail_bank" "no_edits;hospital" "no_edits;software_company")
  list(GET check 0 mode)
  list(GET check 1 model)
  set(extra "")
  if(mode STREQUAL "equals_analyze")
    list(GET check 2 unit)
    list(GET check 3 value)
    set(extra -DUNIT=${unit} -DVALUE=${value})
  endif()
  add_test(NAME cli.whatif.${mode}.${model}
           COMMAND ${CMAKE_COMMAND} -DCLI=$<TARGET_FILE:servicechain_cli> -DMODE=${mode}
                   -DMODEL=${cli_models}/${model}.json -DWORK=${CMAKE_CURRENT_BINARY_DIR}/whatif/${mode}.${model} ${extra}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/whatif_checks.cmake)
  set_tests_properties(cli.whatif.${mode}.${model} PROPERTIES LABELS cli TIMEOUT 60)
endforeach()

# ---------------------------------------------------------------- sweep
# W = 1/(4 - 2 s) at s = 0.5, 1, 1.5: 1/3, 1/2, 1; utilization 2 s / 4.
servicechain_cli_test(sweep.mm1_csv EXIT 0 ARGS sweep ${cli_data}/mm1_hourly.json --scale-demand 0.5:1.5:0.5 --format csv
  STDERR_EMPTY STDOUT_MATCHES "^demand_scale,lead_time_walk_in,mean_lead_time,busiest_1,utilization_1,saturated_units\n"
  "\n0\\.5,0\\.333333333333333[0-9]*,0\\.333333333333333[0-9]*,desk,0\\.25,\n" "\n1,0\\.5,0\\.5,desk,0\\.5,\n"
  "\n1\\.5,1,1,desk,0\\.75,\n")
servicechain_cli_test(sweep.mm1_parameter_json EXIT 0
  ARGS sweep ${cli_data}/mm1_hourly.json --set units/desk/service_time=0.3:0.5:0.1 --format json
  STDERR_EMPTY JSON_KEYS parameter first_saturated steps
  # s = 0.4: W = 1/(2.5 - 2) = 2; s = 0.5: rho = 1, saturated.
  STDOUT_MATCHES [["parameter": "units/desk/service_time"]] "\"value\": 0\\.4,\n *\"saturated\": false,\n *\"lead_time\": {\n *\"walk_in\": 2\\.0"
                 "\"first_saturated\": {\n *\"value\": 0\\.5,\n *\"units\": .\n *\"desk\"")
servicechain_cli_test(sweep.mm1_saturated_table EXIT 0 ARGS sweep ${cli_data}/mm1_hourly.json --scale-demand 1.5:2.5:0.5
  STDERR_EMPTY STDOUT_MATCHES "\n2 +saturated +saturated +desk 1 +desk \\(utilization 1\\)\n"
  [[First saturated step: demand_scale = 2: desk \(utilization 1\)]])
servicechain_cli_test(sweep.no_range EXIT 2 ARGS sweep ${cli_data}/mm1_hourly.json STDOUT_EMPTY STDERR_MATCHES [[--scale-demand]])
servicechain_cli_test(sweep.two_ranges EXIT 2 ARGS sweep ${cli_data}/mm1_hourly.json --scale-demand 1:2:1
  --set units/desk/service_time=0.1:0.2:0.1 STDOUT_EMPTY STDERR_MATCHES [[excludes]])
servicechain_cli_test(sweep.bad_range EXIT 1 ARGS sweep ${cli_data}/mm1_hourly.json --scale-demand 1.2:0.5:0.1
  STDOUT_EMPTY STDERR_MATCHES [[--scale-demand = '1\.2:0\.5:0\.1': TO = 0\.5 is below FROM = 1\.2]])
servicechain_cli_test(sweep.bad_parameter EXIT 1 ARGS sweep ${cli_data}/mm1_hourly.json --set units/desk/service_time=0:0.2:0.1
  STDOUT_EMPTY STDERR_MATCHES [[parameter 'units/desk/service_time' = 0]])
foreach(mode IN ITEMS chart no_gnuplot)
  add_test(NAME cli.sweep.${mode}
           COMMAND ${CMAKE_COMMAND} -DCLI=$<TARGET_FILE:servicechain_cli> -DMODE=${mode}
                   -DMODEL=${cli_models}/retail_bank.json -DRANGE=0.8:1.25:0.05
                   -DWORK=${CMAKE_CURRENT_BINARY_DIR}/whatif/sweep.${mode}
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/whatif_checks.cmake)
  set_tests_properties(cli.sweep.${mode} PROPERTIES LABELS cli TIMEOUT 60)
endforeach()

# ---------------------------------------------------------------- knockout
servicechain_cli_test(knockout.table EXIT 0 ARGS knockout ${cli_data}/knockout_chain.json STDERR_EMPTY
  STDOUT_MATCHES "\na +unstable: loses its only server " "\nb +0\\.4 +0\\.8 +3\\.048 +3\\.048\n"
  "\npool +unlimited servers " [[Units whose loss of one server makes the system unstable \(1\): a]])
servicechain_cli_test(knockout.json EXIT 0 ARGS knockout ${cli_data}/knockout_chain.json --format json STDERR_EMPTY
  JSON_KEYS loss lead_time mean_lead_time units unstable
  # b with one server: W = 1/(1.25 - 1) = 4 instead of 20/21.
  STDOUT_MATCHES [["loss": "one_server"]] "\"lead_time_change\": {\n *\"c\": 3\\.047619047619"
                 "\"unstable\": .\n *\"a\"\n *.\n}")
# 20% lost: a W = 1/(1.6 - 1) = 5/3 (+2/3); b W = 4/3 (+8/21); pool W = 0.375 (+0.075).
servicechain_cli_test(knockout.capacity_csv EXIT 0 ARGS knockout ${cli_data}/knockout_chain.json --capacity-loss 0.2
  --format csv STDERR_EMPTY
  STDOUT_MATCHES "^unit,status,utilization_before,utilization_after,lead_time_change_c,mean_lead_time_change\n"
  "\na,,0\\.5,0\\.625,0\\.66666666666666[0-9]*," "\nb,,0\\.4[0-9]*,0\\.5[0-9]*,0\\.3809523809523[0-9]*,"
  "\npool,,0,0,0\\.07500000000000[0-9]*,")
servicechain_cli_test(knockout.bad_loss EXIT 2 ARGS knockout ${cli_data}/knockout_chain.json --capacity-loss 1.5
  STDOUT_EMPTY STDERR_MATCHES [[capacity-loss]])
servicechain_cli_test(knockout.full_loss EXIT 1 ARGS knockout ${cli_data}/knockout_chain.json --capacity-loss 1
  STDOUT_EMPTY STDERR_MATCHES [[capacity loss = 1, but must be a fraction in \(0, 1\)]])
servicechain_cli_test(knockout.saturated_model EXIT 3 ARGS knockout ${cli_data}/saturated.json
  STDOUT_EMPTY STDERR_MATCHES [[unit 'desk': utilization = 1\.5]])

# ---------------------------------------------------------------- whatif --against an edited organization
servicechain_cli_test(whatif.against EXIT 0
  ARGS whatif ${cli_data}/knockout_chain.json --against ${cli_data}/knockout_chain_edited.json STDERR_EMPTY
  # 1 + 20/21 + 0.3 = 2.252 -> 1 + 20/21 + 1/3 = 2.286
  STDOUT_MATCHES [[units added: d; removed: pool]] [[links added: d->a; removed: pool->a]] "\nc +2\\.252 +2\\.286 +0\\.03333 ")
servicechain_cli_test(whatif.against_json EXIT 0 ARGS whatif ${cli_data}/knockout_chain.json
  --against ${cli_data}/knockout_chain_edited.json --format json STDERR_EMPTY JSON_KEYS against customers units links
  STDOUT_MATCHES "\"removed_units\": .\n *\"pool\"" "\"difference\": 0\\.0333333333333")
servicechain_cli_test(whatif.against_with_set EXIT 2 ARGS whatif ${cli_data}/mm1_hourly.json --against ${cli_data}/mm1_hourly.json
  --set units/desk/servers=2 STDOUT_EMPTY STDERR_MATCHES [[excludes]])
servicechain_cli_test(whatif.against_saturated EXIT 3 ARGS whatif ${cli_data}/mm1_hourly.json --against ${cli_data}/saturated.json
  STDOUT_EMPTY STDERR_MATCHES [[the edited organization '.*saturated\.json' is saturated]] [[unit 'desk': utilization = 1\.5]])
add_test(NAME cli.whatif.no_edits.against_itself
         COMMAND ${CMAKE_COMMAND} -DCLI=$<TARGET_FILE:servicechain_cli> -DMODE=no_edits
                 -DMODEL=${cli_models}/hospital.json -DAGAINST=${cli_models}/hospital.json
                 -DWORK=${CMAKE_CURRENT_BINARY_DIR}/whatif/against_itself
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/whatif_checks.cmake)
set_tests_properties(cli.whatif.no_edits.against_itself PROPERTIES LABELS cli TIMEOUT 60)

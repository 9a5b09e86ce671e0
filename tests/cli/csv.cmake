# Tidy CSV (--table, --output-dir), `-` as MODEL, and usage errors that name themselves.
# Included from tests/cli/CMakeLists.txt.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  foreach(case IN ITEMS "analyze;${cli_models}/retail_bank.json" "analyze;${cli_models}/hospital.json"
                        "analyze;${cli_data}/closed_two_units.json" "structure;${cli_models}/retail_bank.json"
                        "policy;${cli_models}/hospital.json" "mix;${cli_data}/mix_three_units.json"
                        "structure;${cli_data}/seven_customers.json" "policy;${cli_data}/seven_customers.json")
    list(GET case 0 sub)
    list(GET case 1 model)
    get_filename_component(stem ${model} NAME_WE)
    add_test(NAME cli.csv.${sub}.${stem}
             COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/check_csv.py $<TARGET_FILE:servicechain_cli>
                     ${CMAKE_CURRENT_BINARY_DIR}/csv_${sub}_${stem} ${sub} ${model})
    set_tests_properties(cli.csv.${sub}.${stem} PROPERTIES LABELS cli TIMEOUT 120)
  endforeach()
  add_test(NAME cli.stdin_model
           COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/check_stdin.py $<TARGET_FILE:servicechain_cli>
                   ${cli_models}/retail_bank.json ${cli_data}/truncated.json)
  set_tests_properties(cli.stdin_model PROPERTIES LABELS cli TIMEOUT 60)
  # Text tables fold to the terminal width (COLUMNS), keeping every cell.
  foreach(case IN ITEMS "analyze;${cli_models}/hospital.json" "analyze;${cli_models}/retail_bank.json"
                        "analyze;${cli_models}/claims_office.json" "structure;${cli_models}/software_company.json"
                        "policy;${cli_models}/hospital.json" "mix;${cli_models}/retail_bank.json"
                        "analyze;${cli_data}/seven_customers.json" "policy;${cli_data}/seven_customers.json")
    list(GET case 0 sub)
    list(GET case 1 model)
    get_filename_component(stem ${model} NAME_WE)
    add_test(NAME cli.width.${sub}.${stem}
             COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/check_width.py $<TARGET_FILE:servicechain_cli>
                     80 ${sub} ${model})
    set_tests_properties(cli.width.${sub}.${stem} PROPERTIES LABELS cli TIMEOUT 120)
  endforeach()
  add_test(NAME cli.dot.svg_mode
           COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/check_file_mode.py
                   ${CMAKE_CURRENT_BINARY_DIR}/svg_mode.svg $<TARGET_FILE:servicechain_cli> dot
                   ${cli_models}/retail_bank.json --svg ${CMAKE_CURRENT_BINARY_DIR}/svg_mode.svg)
  set_tests_properties(cli.dot.svg_mode PROPERTIES LABELS cli TIMEOUT 60)
endif()

servicechain_cli_test(usage.unknown_subcommand_named EXIT 2 ARGS frobnicate model.json STDOUT_EMPTY
  STDERR_MATCHES [[unknown subcommand 'frobnicate'; the subcommands are: analyze, validate]])
servicechain_cli_test(usage.table_needs_csv EXIT 2 ARGS analyze ${cli_models}/retail_bank.json --table units
  STDOUT_EMPTY STDERR_MATCHES [[--table and --output-dir need --format csv]])
servicechain_cli_test(usage.unknown_table EXIT 2
  ARGS analyze ${cli_models}/retail_bank.json --format csv --table nope STDOUT_EMPTY
  STDERR_MATCHES [[--table nope: no such table here; the tables are: units, customers, links]])
servicechain_cli_test(analyze.csv_one_table EXIT 0
  ARGS analyze ${cli_models}/retail_bank.json --format csv --table units STDERR_EMPTY
  STDOUT_MATCHES "^unit,servers,load_per_hour,utilization,busy_servers,headroom,saturation_scale\n" "\ncredit_risk,4,")

# Rows whose figures are all zero are left out of text tables unless --all: in the bank,
# six units lie on no shortest path between two others (betweenness 0; hr, for one, has
# no provider, so no path passes through it).
servicechain_cli_test(structure.zero_rows_hidden EXIT 0 ARGS structure ${cli_models}/retail_bank.json STDERR_EMPTY
  STDOUT_MATCHES [[\(6 rows with only zeros not shown; --all shows every row\)]])
servicechain_cli_test(structure.zero_rows_all EXIT 0 ARGS structure ${cli_models}/retail_bank.json --all STDERR_EMPTY
  STDOUT_MATCHES "\nhr +0 +0\n")

# Seven customers (more than six): per-customer columns of text tables become rows. By hand:
# back serves desk's 7 items an hour, each redone with e = (1 − 0.9)/0.9 = 1/9, so
# 7 · 10/9 = 7.778 services, plus 1 for c1 directly: load 8.778; c1's share is its desk
# item's 10/9 plus its own 1 over the load, 2.111/8.778 = 0.241; each other customer's
# (10/9)/8.778 = 0.127.
set(seven ${cli_data}/seven_customers.json)
servicechain_cli_test(structure.many_customers_rows EXIT 0 ARGS structure ${seven} STDERR_EMPTY
  STDOUT_MATCHES "\nunit +load \\(/hour\\) +customer +share\n" "\nback +8\\.778 +c1 +0\\.241\n" "\nback +8\\.778 +c7 +0\\.127\n")
servicechain_cli_test(analyze.many_customers_rows EXIT 0 ARGS analyze ${seven} STDERR_EMPTY
  STDOUT_MATCHES [[Lead time the rejections add, by customer]] "\nback -> desk +c7 +[0-9.]+\n")
servicechain_cli_test(policy.many_customers_rows EXIT 0 ARGS policy ${seven} STDERR_EMPTY
  STDOUT_MATCHES [[Lead time by customer with each discipline]] "\nback +fifo \\(as given\\) +c7 +[0-9.]+\n")

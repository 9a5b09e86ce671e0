# ---------------------------------------------------------------- import / export (JMT JMVA)
# Included from tests/cli/CMakeLists.txt. The library's round trips and the solved figures
# are in tests/io/jmva_test.cpp; these check the commands, their exit codes and messages.
set(jmva_data ${PROJECT_SOURCE_DIR}/tests/data/jmva)

# Lazowska QSP p.117 written by hand: the terminals (reference delay station) become the think time.
servicechain_cli_test(import.lazowska EXIT 0 ARGS import ${jmva_data}/lazowska_qsp_p117.jmva STDERR_EMPTY
  JSON_KEYS name units links
  STDOUT_MATCHES [["population": 3, "think_time": 15]] [[{"from": "cpu", "to": "users", "requests": 121}]])
# Every figure of GNU Octave's qnmix (in the file's <solutions>) agrees to 1e-6.
servicechain_cli_test(import.check_mixed EXIT 0 ARGS import ${jmva_data}/mixed_class_dependent.jmva --check
  STDERR_EMPTY STDOUT_MATCHES "\n24 figures compared, 0 differ\n")
servicechain_cli_test(import.check_mixed_json EXIT 0
  ARGS import ${jmva_data}/mixed_class_dependent.jmva --check --format json
  STDERR_EMPTY JSON_KEYS method tolerance compared not_compared differing STDOUT_MATCHES [["differing": 0]])
# By hand: one job, one desk of service time 2: X = 0.5; the file says 0.45 -> exit 4.
servicechain_cli_test(import.check_differs EXIT 4 ARGS import ${jmva_data}/one_station_solutions.jmva --check
  STDERR_EMPTY STDOUT_MATCHES "\ndesk +job +Throughput +0\\.45 +0\\.5 .* NO\n" "\n4 figures compared, 1 differ\n")
servicechain_cli_test(import.check_without_solutions EXIT 1
  ARGS import ${jmva_data}/lazowska_qsp_p117.jmva --check STDOUT_EMPTY
  STDERR_MATCHES "${failure_prefix}" [[has no <solutions>]])
servicechain_cli_test(import.load_dependent EXIT 1 ARGS import ${jmva_data}/load_dependent.jmva STDOUT_EMPTY
  STDERR_MATCHES "${failure_prefix}" [[ldstation.@name='crew'.. at line 9, column [0-9]+: load-dependent station]])
servicechain_cli_test(import.missing_file EXIT 1 ARGS import ${jmva_data}/no_such_file.jmva STDOUT_EMPTY
  STDERR_MATCHES [[cannot open]])
servicechain_cli_test(import.missing_argument EXIT 2 ARGS import STDOUT_EMPTY STDERR_MATCHES [[FILE]])

# Export: one station per unit with work, the think time as the class's reference delay station.
servicechain_cli_test(export.closed_two_units EXIT 0 ARGS export ${cli_data}/closed_two_units.json STDERR_EMPTY
  STDOUT_MATCHES [[<closedclass name="users" population="3" />]] [[<delaystation name="users.think">]]
                 [[<listation name="b" servers="1">]] [[<Class name="users" refStation="users.think" />]])
servicechain_cli_test(export.not_product_form EXIT 1 ARGS export ${cli_models}/claims_office.json STDOUT_EMPTY
  STDERR_MATCHES "${failure_prefix}" [[unit 'assessors': FIFO with per-consumer service times has no product form]])

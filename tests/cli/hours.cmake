# Working hours and demand profiles (issue 11): analyze flags the time averages it uses,
# validate locates a bad schedule. Included from tests/cli/CMakeLists.txt.

# One server 9–17 (c̄ = 1/3), λ·s = 0.2: analysed as 1 server at speed 1/3, utilization 0.6.
servicechain_cli_test(hours.analyze_json EXIT 0 ARGS analyze ${cli_data}/office_hours.json --format json STDERR_EMPTY
  JSON_KEYS time_varying warnings units customers
  STDOUT_MATCHES [["time_varying": true]] [["average_servers": 0\.333]] [["utilization": 0\.6]]
                 [[time-varying model \(office, client\)]])
servicechain_cli_test(hours.analyze_table EXIT 0 ARGS analyze ${cli_data}/office_hours.json STDERR_EMPTY
  STDOUT_MATCHES [[Note: time-varying model \(office, client\)]])
servicechain_cli_test(hours.validate_overlap EXIT 1 ARGS validate ${cli_data}/bad_schedule.json STDOUT_EMPTY
  STDERR_MATCHES [[unit 'office' \(/units/0\): schedule\.shifts.0. .9, 17\) and schedule\.shifts.1. .16, 18\) overlap]])

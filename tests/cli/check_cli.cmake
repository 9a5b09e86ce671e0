# Runs the servicechain CLI once and checks its exit code, stdout and stderr.
#
#   cmake -DCLI=<path to servicechain> -DCASE=<case file> -P check_cli.cmake
#
# The case file (written by tests/cli/CMakeLists.txt) sets:
#   ARGS            the command-line arguments (a list)
#   EXPECT_EXIT     the expected exit code
#   STDOUT_EMPTY    ON: stdout must be empty       STDERR_EMPTY  ON: stderr must be empty
#   STDOUT_MATCHES  regexes that stdout must match (each one)
#   STDERR_MATCHES  regexes that stderr must match (each one)
#   JSON_KEYS       stdout must parse as a JSON object with these top-level keys
# On failure it prints what was expected and the actual exit code, stdout and stderr.
if(NOT DEFINED CLI OR NOT DEFINED CASE)
  message(FATAL_ERROR "check_cli.cmake: -DCLI=... and -DCASE=... are required")
endif()
include("${CASE}")

# Text tables fold to $COLUMNS (src/cli/text_layout.cpp): the cases expect the unfolded layout.
unset(ENV{COLUMNS})
execute_process(COMMAND "${CLI}" ${ARGS}
                RESULT_VARIABLE actual_exit OUTPUT_VARIABLE out ERROR_VARIABLE err)

set(problems "")
if(NOT "${actual_exit}" STREQUAL "${EXPECT_EXIT}")
  list(APPEND problems "exit code: expected ${EXPECT_EXIT}, actual ${actual_exit}")
endif()
if(STDOUT_EMPTY AND NOT out STREQUAL "")
  list(APPEND problems "stdout: expected nothing, actual text (below)")
endif()
if(STDERR_EMPTY AND NOT err STREQUAL "")
  list(APPEND problems "stderr: expected nothing, actual text (below)")
endif()
# Messages are bounded and valid UTF-8 whatever the input (tests/cli/bad.cmake): at most
# 64 KB on stderr, and none of the bytes that never occur in UTF-8 on either stream.
string(LENGTH "${err}" err_length)
if(err_length GREATER 65536)
  list(APPEND problems "stderr: ${err_length} bytes, but a message must stay under 64 KB")
endif()
foreach(code IN ITEMS 192 193 245 246 247 248 254 255)
  string(ASCII ${code} byte)
  string(FIND "${err}" "${byte}" at_err)
  string(FIND "${out}" "${byte}" at_out)
  if(NOT at_err EQUAL -1 OR NOT at_out EQUAL -1)
    list(APPEND problems "output: the byte ${code}, which is never valid UTF-8")
  endif()
endforeach()
# In a sanitizer build, a report must fail the test even where exit 1 is expected.
if(err MATCHES "(AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:)")
  list(APPEND problems "stderr: a sanitizer report (below)")
endif()
foreach(regex IN LISTS STDOUT_MATCHES)
  if(NOT out MATCHES "${regex}")
    list(APPEND problems "stdout: expected a match for the regex '${regex}', none found")
  endif()
endforeach()
foreach(regex IN LISTS STDERR_MATCHES)
  if(NOT err MATCHES "${regex}")
    list(APPEND problems "stderr: expected a match for the regex '${regex}', none found")
  endif()
endforeach()
if(JSON_KEYS)
  # string(JSON) is a real parser: a syntax error anywhere in stdout fails here.
  string(JSON type ERROR_VARIABLE json_error TYPE "${out}")
  if(json_error)
    list(APPEND problems "stdout: expected JSON, but it does not parse: ${json_error}")
  elseif(NOT type STREQUAL "OBJECT")
    list(APPEND problems "stdout: expected a JSON object, actual a JSON ${type}")
  else()
    foreach(key IN LISTS JSON_KEYS)
      string(JSON value ERROR_VARIABLE key_error GET "${out}" "${key}")
      if(key_error)
        list(APPEND problems "stdout: expected the JSON key '${key}', it is missing")
      endif()
    endforeach()
  endif()
endif()

if(problems)
  list(JOIN problems "\n  " shown)
  list(JOIN ARGS " " shown_args)
  # NOTICE prints verbatim (FATAL_ERROR would re-wrap the output).
  message(NOTICE "FAILED: servicechain ${shown_args}\n  ${shown}\n"
                 "--- actual stdout ---\n${out}\n--- actual stderr ---\n${err}\n--- end ---")
  message(FATAL_ERROR "servicechain ${shown_args}: the checks above failed")
endif()
list(JOIN ARGS " " shown_args)
message(STATUS "ok: servicechain ${shown_args} -> exit ${actual_exit}")

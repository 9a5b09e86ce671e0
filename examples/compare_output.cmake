# Runs PROGRAM in WORKING_DIRECTORY and compares its standard output with EXPECTED.
execute_process(COMMAND ${PROGRAM} WORKING_DIRECTORY ${WORKING_DIRECTORY}
                OUTPUT_VARIABLE actual ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} exited with ${status}:\n${errors}")
endif()
file(READ ${EXPECTED} expected)
if(NOT actual STREQUAL expected)
  message(FATAL_ERROR "output of ${PROGRAM} differs from ${EXPECTED}\n--- expected ---\n${expected}--- actual ---\n${actual}")
endif()

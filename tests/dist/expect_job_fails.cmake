# A failing rank must end the whole job, quickly and with its message, never hang it. Runs
# dist_tests under mpiexec with ETA_DIST_TEST_<MODE>=1 (see dist_main.cpp) and checks a non-zero
# exit within LIMIT seconds and output matching EXPECT.
# Usage: cmake -DMPIEXEC=... -DEXE=... -DNP=2 -DMODE=THROW -DEXPECT=regex -DLIMIT=30 -P expect_job_fails.cmake
set(ENV{ETA_DIST_TEST_${MODE}} 1)
set(ENV{OMPI_ALLOW_RUN_AS_ROOT} 1)
set(ENV{OMPI_ALLOW_RUN_AS_ROOT_CONFIRM} 1)
string(TIMESTAMP start "%s")
execute_process(COMMAND ${MPIEXEC} -n ${NP} --oversubscribe --bind-to none ${EXE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
string(TIMESTAMP end "%s")
math(EXPR seconds "${end} - ${start}")
message("exit ${rc} after ${seconds} s\n${out}${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the job exited 0; a failing rank must end it non-zero")
endif()
if(seconds GREATER ${LIMIT})
  message(FATAL_ERROR "the job took ${seconds} s to end (limit ${LIMIT} s)")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR "the output does not say '${EXPECT}'")
endif()

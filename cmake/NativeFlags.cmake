# ETA_NATIVE_FLAGS: the flags that optimise eta for this machine's CPU (-march=native), checked
# against a known GCC 12 wrong-code bug first. With some CPU tunings (GCC 12 guesses "rocketlake"
# for certain virtual Xeons) the compiler copies a default-constructed options struct with a wrong
# constant — nn::Conv2dOptions{} came out with padding 1 — so the probe in cmake/probes is built
# and run with -march=native; if it fails, -mtune=generic is added, which keeps every instruction
# set extension of -march=native but avoids the faulty tuning.
set(ETA_NATIVE_FLAGS "")
if(ETA_NATIVE)
  set(ETA_NATIVE_FLAGS -march=native)
  if(NOT DEFINED ETA_NATIVE_TUNE_OK AND NOT CMAKE_CROSSCOMPILING)
    try_run(_eta_probe_run _eta_probe_built ${CMAKE_BINARY_DIR}/native-probe
      SOURCES ${CMAKE_CURRENT_LIST_DIR}/probes/aggregate_copy.cpp
      COMPILE_DEFINITIONS -O2 -march=native
      CXX_STANDARD 20)
    if(_eta_probe_built AND _eta_probe_run EQUAL 0)
      set(ETA_NATIVE_TUNE_OK TRUE CACHE INTERNAL "-march=native passed the aggregate-copy probe")
    else()
      set(ETA_NATIVE_TUNE_OK FALSE CACHE INTERNAL "-march=native passed the aggregate-copy probe")
    endif()
  endif()
  if(NOT ETA_NATIVE_TUNE_OK)
    message(STATUS "eta: -march=native miscompiles the aggregate-copy probe with this compiler's tuning for this CPU; adding -mtune=generic")
    list(APPEND ETA_NATIVE_FLAGS -mtune=generic)
  endif()
endif()

# examples.cmake - the CTest test `examples`: installs this build into a
# directory of the build tree and builds and runs examples/*.c against the
# installed headers and library with examples/build-and-run.sh.
#
# Included by tests/CMakeLists.txt it registers the test; the test runs this
# same file in script mode (cmake -P) with:
#   BUILD_DIR  the build tree to install     PREFIX  where to install it
#   WORK       where the example binaries go  SCRIPT  build-and-run.sh
#   CC         the compiler of this build     SANITIZE  BSDVM_SANITIZE
#   CONFIG     the configuration (multi-config generators)

if(CMAKE_SCRIPT_MODE_FILE)
  # ---------------- script mode: install, then build and run ----------------
  file(REMOVE_RECURSE "${PREFIX}" "${WORK}")
  set(config_args "")
  if(CONFIG)
    set(config_args --config "${CONFIG}")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
      ${config_args}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cmake --install ${BUILD_DIR} --prefix ${PREFIX} failed (${rc}):\n${out}${err}")
  endif()
  # the programs must be built like the library: same compiler, and the
  # sanitizer runtime when the library has one
  set(ENV{CC} "${CC}")
  if(SANITIZE)
    set(ENV{CFLAGS} "-fsanitize=${SANITIZE} -fno-omit-frame-pointer")
    set(ENV{LDFLAGS} "-fsanitize=${SANITIZE}")
  else()
    set(ENV{CFLAGS} "")
    set(ENV{LDFLAGS} "")
  endif()
  execute_process(COMMAND sh "${SCRIPT}" "${PREFIX}" "${WORK}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "examples/build-and-run.sh ${PREFIX} failed (${rc})")
  endif()
else()
  # ---------------- included: register the test ----------------
  add_test(NAME examples
    COMMAND ${CMAKE_COMMAND}
      -DBUILD_DIR=${CMAKE_BINARY_DIR}
      -DPREFIX=${CMAKE_CURRENT_BINARY_DIR}/examples-prefix
      -DWORK=${CMAKE_CURRENT_BINARY_DIR}/examples-bin
      -DSCRIPT=${PROJECT_SOURCE_DIR}/examples/build-and-run.sh
      -DCC=${CMAKE_C_COMPILER}
      -DSANITIZE=${BSDVM_SANITIZE}
      -DCONFIG=$<CONFIG>
      -P ${CMAKE_CURRENT_LIST_FILE})
  set_tests_properties(examples PROPERTIES LABELS examples TIMEOUT 600)
endif()

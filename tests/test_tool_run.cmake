# test_tool_run.cmake - tests of "bsdvm run", the scenario runner.
#
# Included by tests/CMakeLists.txt, it registers the tests (all named
# tool_run_*): one per examples/*.scn, each of which must pass and leave
# nothing behind, plus tests of failures, malformed input and usage.
# Each test runs this same file in script mode (cmake -P):
#
#   TOOL          the bsdvm executable
#   SCN           the scenario to run, or
#   CASE          the name of a scenario written by this file (below) into
#                 WORKDIR/CASE.scn first, so that the tests need no data files;
#                 with neither, "run" gets no scenario at all
#   NARGS, ARG<i> more arguments (after "run SCENARIO")
#   RC            the expected exit status
#   NMATCH, MATCH<i>      regexes standard output must match
#   NNOMATCH, NOMATCH<i>  regexes standard output must not match
#   NSTDERR, STDERR<i>    regexes standard error must match
#   HTML, HTML_STEPS      --html HTML is passed; the file must exist and hold
#                         HTML_STEPS slider steps (any number > 0 if empty)
#   SAME_TWICE            a second run must print exactly the same

if(CMAKE_SCRIPT_MODE_FILE)
  # ---------------- script mode: one run ----------------
  cmake_policy(VERSION 3.16...3.28)

  # Small scenarios for the tests below (no ';' in them: CMake would take
  # it for a list separator).
  set(case_fail [=[
system frames=16
space p1
map p1 buf any 16K rw-
expect p1 entries 2
protect p1 buf+8K 4K r-- => KERN_NO_SPACE
write p1 buf "abc"
read p1 buf 3 expect "abd"
expect stats zero_fills == 7
echo "still running after the failures"
expect p1 map <<END
00010000-00012000 rw-p 00000000 00:00 0 [buf]
00012000-00013000 rw-p 00000000 00:00 0 [buf]
00013000-00014000 rw-p 00000000 00:00 0 [buf]
END
]=])
  set(case_unbound [=[
space p1
map p1 buf 0x8000 16K rw- fixed
write p1 buf "x"
expect p1 entries 0
]=])
  set(case_bad_op [=[
# a comment
space p1
frobnicate p1
]=])
  set(case_bad_name [=[
space p1
write p1 heap "x"
]=])
  set(case_bad_string [=[
space p1
map p1 heap any 4K rw-
write p1 heap "unterminated
]=])
  set(case_bad_heredoc [=[
space p1
expect p1 map <<END
00010000-00011000 rw-p 00000000 00:00 0
]=])
  set(case_bad_code [=[
space p1
map p1 heap any 4K rw- => KERN_NOPE
]=])
  set(case_bad_size [=[
space p1
unmap p1 0x10000
]=])
  set(case_bad_find [=[
space p1
vm_map_find p1 a 0x100000 4K rw- find=VMFS_ALIGNED_SPACE(64)
]=])
  set(case_html [=[
space p1
map p1 a any 16K rw-
write p1 a "x"
read p1 a 1 expect "x"
echo "reading changes no map"
protect p1 a 4K r--
fork p1 p2
exit p2
]=])
  set(case_json [=[
space p1
map p1 heap 0x600000 64K rw- fixed
show p1
]=])

  function(numbered prefix count out)
    set(values "")
    if(count GREATER 0)
      math(EXPR last "${count} - 1")
      foreach(i RANGE ${last})
        list(APPEND values "${${prefix}${i}}")
      endforeach()
    endif()
    set(${out} "${values}" PARENT_SCOPE)
  endfunction()

  if(DEFINED CASE)
    set(SCN "${WORKDIR}/${CASE}.scn")
    file(WRITE "${SCN}" "${case_${CASE}}")
  endif()
  numbered(ARG "${NARGS}" args)
  set(cmd "${TOOL}" run)
  if(DEFINED SCN)
    list(APPEND cmd "${SCN}")
  endif()
  list(APPEND cmd ${args})
  if(DEFINED HTML)
    file(REMOVE "${HTML}")
    list(APPEND cmd --html "${HTML}")
  endif()
  execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(shown "${cmd}\n--- exit status ${rc}\n--- stdout:\n${out}--- stderr:\n${err}")
  if(NOT rc STREQUAL "${RC}")
    message(FATAL_ERROR "exit status ${rc}, expected ${RC}\n${shown}")
  endif()
  foreach(kind MATCH NOMATCH STDERR)
    numbered(${kind} "${N${kind}}" res)
    foreach(re IN LISTS res)
      if(kind STREQUAL "MATCH" AND NOT out MATCHES "${re}")
        message(FATAL_ERROR "stdout does not match '${re}'\n${shown}")
      elseif(kind STREQUAL "NOMATCH" AND out MATCHES "${re}")
        message(FATAL_ERROR "stdout matches '${re}'\n${shown}")
      elseif(kind STREQUAL "STDERR" AND NOT err MATCHES "${re}")
        message(FATAL_ERROR "stderr does not match '${re}'\n${shown}")
      endif()
    endforeach()
  endforeach()
  if(DEFINED HTML)
    if(NOT EXISTS "${HTML}")
      message(FATAL_ERROR "no picture at ${HTML}\n${shown}")
    endif()
    file(READ "${HTML}" page)
    if(NOT page MATCHES "data-steps=\"([0-9]+)\"")
      message(FATAL_ERROR "${HTML} has no step count")
    endif()
    set(steps ${CMAKE_MATCH_1})
    if((HTML_STEPS STREQUAL "" AND steps EQUAL 0) OR
       (NOT HTML_STEPS STREQUAL "" AND NOT steps EQUAL HTML_STEPS))
      message(FATAL_ERROR "${HTML} has ${steps} steps, expected ${HTML_STEPS}\n${shown}")
    endif()
    if(NOT out MATCHES "picture: ${steps} steps? in ")
      message(FATAL_ERROR "the run does not say where the picture went\n${shown}")
    endif()
  endif()
  if(SAME_TWICE)
    execute_process(COMMAND ${cmd} RESULT_VARIABLE rc2 OUTPUT_VARIABLE out2 ERROR_QUIET)
    if(NOT rc2 STREQUAL rc OR NOT out2 STREQUAL out)
      message(FATAL_ERROR "a second run printed something else\n${shown}")
    endif()
  endif()

else()
  # ---------------- included: register the tests ----------------
  if(TARGET bsdvm)
    set(_bsdvm_run_script "${CMAKE_CURRENT_LIST_FILE}")

    # bsdvm_run_test(NAME RC n [SCN file | CASE name] [SAME_TWICE] [ARGS ...]
    #   [MATCH ...] [NOMATCH ...] [STDERR ...] [HTML_STEPS n | HTML_ANY])
    function(bsdvm_run_test name)
      cmake_parse_arguments(T "SAME_TWICE;HTML_ANY" "RC;SCN;CASE;HTML_STEPS"
        "ARGS;MATCH;NOMATCH;STDERR" ${ARGN})
      set(defs "-DTOOL=$<TARGET_FILE:bsdvm>" "-DRC=${T_RC}"
        "-DWORKDIR=${CMAKE_CURRENT_BINARY_DIR}")
      if(T_SCN)
        list(APPEND defs "-DSCN=${T_SCN}")
      elseif(T_CASE)
        list(APPEND defs "-DCASE=${T_CASE}")
      endif()
      foreach(kind ARGS MATCH NOMATCH STDERR)
        set(prefix ${kind})
        if(kind STREQUAL "ARGS")
          set(prefix ARG)
        endif()
        set(i 0)
        foreach(v IN LISTS T_${kind})
          list(APPEND defs "-D${prefix}${i}=${v}")
          math(EXPR i "${i} + 1")
        endforeach()
        list(APPEND defs "-DN${kind}=${i}")
      endforeach()
      if(T_HTML_ANY OR DEFINED T_HTML_STEPS)
        list(APPEND defs "-DHTML=${CMAKE_CURRENT_BINARY_DIR}/${name}.html"
          "-DHTML_STEPS=${T_HTML_STEPS}")
      endif()
      if(T_SAME_TWICE)
        list(APPEND defs "-DSAME_TWICE=ON")
      endif()
      add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} ${defs} -P ${_bsdvm_run_script})
      set_tests_properties(${name} PROPERTIES LABELS tool TIMEOUT 120)
    endfunction()

    # Every example scenario passes, with every map checked after every
    # line, nothing left behind at the end, and a picture written.
    file(GLOB _bsdvm_examples CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/examples/*.scn)
    foreach(scn IN LISTS _bsdvm_examples)
      get_filename_component(base "${scn}" NAME_WE)
      string(MAKE_C_IDENTIFIER "${base}" base)
      bsdvm_run_test(tool_run_example_${base} RC 0 SCN "${scn}" HTML_ANY
        MATCH "^bsdvm run [^\n]*: [0-9]+ statements\n"
              "\nleaks: none "
              "\nrun: [0-9]+ statements, [0-9]+ operations, [0-9]+ expectations, [0-9]+ checks: all passed\n$"
        NOMATCH "FAILED")
    endforeach()

    # The same output on every run; every listing format works.
    bsdvm_run_test(tool_run_same_twice RC 0 SCN "${PROJECT_SOURCE_DIR}/examples/cow.scn"
      SAME_TWICE
      MATCH "\n11: fork  p1 p2\n    = KERN_SUCCESS, p2 = pid 101\n"
            "\n16: write p2 heap \"HELLO\"\n    = KERN_SUCCESS\n17: expect stats cow_copies 1\n    ok: cow_copies 1\n")
    bsdvm_run_test(tool_run_procstat RC 0 CASE json ARGS --format procstat
      MATCH "\n  100           0x600000           0x610000 rw-    0    0   0   0 ----- -- \\[heap\\]\n")
    bsdvm_run_test(tool_run_json RC 0 CASE json ARGS -f json
      MATCH "\n\\[\n  {\"start\": \"0x600000\", \"end\": \"0x610000\", \"prot\": \"rw-\", [^\n]*\"path\": \"\\[heap\\]\"}\n\\]\n")

    # One picture step per line that changes a map (space, map, protect,
    # fork, exit), none for the others (write, read, echo).
    bsdvm_run_test(tool_run_html RC 0 CASE html HTML_STEPS 5
      MATCH "all passed\n$")

    # Unmet expectations: each is reported with FILE:LINE on stderr, the
    # run goes on to the end, and exits 1.
    bsdvm_run_test(tool_run_fail RC 1 CASE fail
      MATCH "\n4: expect p1 entries 2\n    FAILED: entries: expected 2, got 1\n"
            "\n5: protect p1 buf\\+8K 4K r-- => KERN_NO_SPACE\n    = KERN_SUCCESS\n    FAILED: protect: expected KERN_NO_SPACE, got KERN_SUCCESS\n"
            "\n6: write p1 buf \"abc\"\n    = KERN_SUCCESS\n"
            "\nstill running after the failures\n"
            "\n    the map is:\n00010000-00012000 rw-p [^\n]*\n00012000-00013000 r--p "
            "\nrun: 5 FAILED "
      STDERR "fail\\.scn:4: entries: expected 2, got 1\n"
             "fail\\.scn:5: protect: expected KERN_NO_SPACE, got KERN_SUCCESS\n"
             "fail\\.scn:7: read: byte 2 differs: expected \"d\", got \"c\"\n"
             "fail\\.scn:8: zero_fills: expected 7, got 1\n"
             "fail\\.scn:10: p1 map, line 2: expected '00012000-00013000 rw-p 00000000 00:00 0 \\[buf\\]', got '00012000-00013000 r--p 00000000 00:00 0 \\[buf\\]'\n")
    # A line that fails leaves its name unbound; lines using it fail too.
    bsdvm_run_test(tool_run_unbound RC 1 CASE unbound
      MATCH "\n    = KERN_INVALID_ADDRESS\n    FAILED: map: expected KERN_SUCCESS, got KERN_INVALID_ADDRESS\n"
            "\n3: write p1 buf \"x\"\n    FAILED: 'buf' has no address since line 2\n"
            "\n4: expect p1 entries 0\n    ok: entries 0\n"
      STDERR "unbound\\.scn:3: 'buf' has no address since line 2\n")

    # Malformed scenarios: FILE:LINE and the reason on stderr, exit 3, and
    # nothing runs (the whole file is checked first).
    foreach(spec
        "bad_op|3: unknown operation 'frobnicate'"
        "bad_name|2: unknown name 'heap' \\(an address\\)"
        "bad_string|3: unterminated string"
        "bad_heredoc|2: the here-document <<END is not ended by a line 'END'"
        "bad_code|2: unknown result code 'KERN_NOPE'"
        "bad_size|2: unmap: give a size"
        "bad_find|2: bad value 'VMFS_ALIGNED_SPACE\\(64\\)' for find= \\(expected VMFS_NO_SPACE")
      string(REPLACE "|" ";" spec "${spec}")
      list(GET spec 0 case)
      list(GET spec 1 msg)
      bsdvm_run_test(tool_run_${case} RC 3 CASE ${case}
        NOMATCH "."
        STDERR "^[^\n]*${case}\\.scn:${msg}")
    endforeach()
    bsdvm_run_test(tool_run_no_file RC 3 SCN "${CMAKE_CURRENT_BINARY_DIR}/no-such.scn"
      NOMATCH "."
      STDERR "no-such\\.scn: cannot read the scenario")

    # Usage errors: exit 2.
    bsdvm_run_test(tool_run_two_files RC 2 CASE json ARGS extra.scn
      NOMATCH "."
      STDERR "unexpected argument 'extra.scn'")
    bsdvm_run_test(tool_run_html_no_value RC 2 CASE json ARGS --html
      NOMATCH "."
      STDERR "option '--html' needs a value")
    bsdvm_run_test(tool_run_no_args RC 2
      NOMATCH "."
      STDERR "run needs a scenario file")
  endif()
endif()

# test_tool_demo.cmake - tests that run the bsdvm command-line tool.
#
# This file has two uses.  Included by tests/CMakeLists.txt, it registers
# the tests (all named tool_*).  Each test then runs this same file in
# script mode (cmake -P) with -D settings, which runs the tool once and
# checks its exit status and output:
#
#   TOOL          the bsdvm executable
#   NARGS, ARG<i> its arguments (numbered: a list would split on ';')
#   RC            the expected exit status
#   NMATCH, MATCH<i>        regexes standard output must match
#   NNOMATCH, NOMATCH<i>    regexes standard output must not match
#   NSTDERR, STDERR<i>      regexes standard error must match
#   COUNT_REGEX, COUNT      standard output matches COUNT_REGEX exactly COUNT times
#   SAME_TWICE    if true, a second run must print exactly the same
#   JSON_ARRAYS   if set, the output holds this many listing arrays (lines
#                 "[" ... "]" or "[]"), each of them valid JSON
#   HTML, HTML_STEPS  the run must write the picture HTML (removed first)
#                 with HTML_STEPS slider steps

if(CMAKE_SCRIPT_MODE_FILE)
  # ---------------- script mode: one run of the tool ----------------
  cmake_policy(VERSION 3.16...3.28)

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

  numbered(ARG "${NARGS}" args)
  if(DEFINED HTML)
    file(REMOVE "${HTML}")
  endif()
  execute_process(COMMAND "${TOOL}" ${args}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(shown "bsdvm ${args}\n--- exit status ${rc}\n--- stdout:\n${out}--- stderr:\n${err}")
  if(NOT rc STREQUAL "${RC}")
    message(FATAL_ERROR "exit status ${rc}, expected ${RC}\n${shown}")
  endif()

  if(NMATCH GREATER 0)
    math(EXPR last "${NMATCH} - 1")
    foreach(i RANGE ${last})
      if(NOT out MATCHES "${MATCH${i}}")
        message(FATAL_ERROR "stdout does not match '${MATCH${i}}'\n${shown}")
      endif()
    endforeach()
  endif()
  if(NNOMATCH GREATER 0)
    math(EXPR last "${NNOMATCH} - 1")
    foreach(i RANGE ${last})
      if(out MATCHES "${NOMATCH${i}}")
        message(FATAL_ERROR "stdout matches '${NOMATCH${i}}'\n${shown}")
      endif()
    endforeach()
  endif()
  if(NSTDERR GREATER 0)
    math(EXPR last "${NSTDERR} - 1")
    foreach(i RANGE ${last})
      if(NOT err MATCHES "${STDERR${i}}")
        message(FATAL_ERROR "stderr does not match '${STDERR${i}}'\n${shown}")
      endif()
    endforeach()
  endif()

  if(DEFINED COUNT_REGEX)
    string(REGEX MATCHALL "${COUNT_REGEX}" hits "${out}")
    list(LENGTH hits n)
    if(NOT n EQUAL COUNT)
      message(FATAL_ERROR "'${COUNT_REGEX}' occurs ${n} times, expected ${COUNT}\n${shown}")
    endif()
  endif()

  if(DEFINED HTML)
    if(NOT EXISTS "${HTML}")
      message(FATAL_ERROR "no picture written to ${HTML}\n${shown}")
    endif()
    file(READ "${HTML}" page)
    if(NOT page MATCHES "<body data-steps=\"${HTML_STEPS}\">")
      message(FATAL_ERROR "${HTML} does not hold ${HTML_STEPS} steps\n${shown}")
    endif()
  endif()

  if(SAME_TWICE)
    execute_process(COMMAND "${TOOL}" ${args} RESULT_VARIABLE rc2 OUTPUT_VARIABLE out2
      ERROR_QUIET)
    if(NOT rc2 STREQUAL rc OR NOT out2 STREQUAL out)
      message(FATAL_ERROR "a second run printed something else\n${shown}")
    endif()
  endif()

  if(DEFINED JSON_ARRAYS AND CMAKE_VERSION VERSION_GREATER_EQUAL 3.19)
    # Walk with string(FIND): CMake lists do not split inside [brackets].
    set(rest "${out}")
    set(n 0)
    string(FIND "${rest}" "\n[" pos)
    while(NOT pos EQUAL -1)
      math(EXPR pos "${pos} + 1")
      string(SUBSTRING "${rest}" ${pos} -1 rest)
      if(rest MATCHES "^\\[\\]\n")
        set(doc "[]")
        string(SUBSTRING "${rest}" 2 -1 rest)
      else()
        string(FIND "${rest}" "\n]\n" end)
        if(end EQUAL -1)
          message(FATAL_ERROR "a listing array is not closed\n${shown}")
        endif()
        math(EXPR end "${end} + 2")
        string(SUBSTRING "${rest}" 0 ${end} doc)
        string(SUBSTRING "${rest}" ${end} -1 rest)
        string(JSON start ERROR_VARIABLE jerr GET "${doc}" 0 start)
        if(jerr OR NOT start MATCHES "^0x[0-9a-f]+$")
          message(FATAL_ERROR "bad JSON listing (${jerr}):\n${doc}")
        endif()
      endif()
      string(JSON len ERROR_VARIABLE jerr LENGTH "${doc}")
      if(jerr)
        message(FATAL_ERROR "bad JSON listing (${jerr}):\n${doc}")
      endif()
      math(EXPR n "${n} + 1")
      string(FIND "${rest}" "\n[" pos)
    endwhile()
    if(NOT n EQUAL JSON_ARRAYS)
      message(FATAL_ERROR "${n} JSON listings, expected ${JSON_ARRAYS}\n${shown}")
    endif()
  endif()

else()
  # ---------------- included: register the tests ----------------
  if(TARGET bsdvm)
    set(_bsdvm_tool_script "${CMAKE_CURRENT_LIST_FILE}")

    # bsdvm_tool_test(NAME [SAME_TWICE] RC n [ARGS ...] [MATCH ...]
    #   [NOMATCH ...] [STDERR ...] [COUNT regex n] [JSON_ARRAYS n]
    #   [HTML file steps])
    function(bsdvm_tool_test name)
      cmake_parse_arguments(T "SAME_TWICE" "RC;JSON_ARRAYS"
        "ARGS;MATCH;NOMATCH;STDERR;COUNT;HTML" ${ARGN})
      set(defs "-DTOOL=$<TARGET_FILE:bsdvm>" "-DRC=${T_RC}")
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
      if(T_COUNT)
        list(GET T_COUNT 0 re)
        list(GET T_COUNT 1 times)
        list(APPEND defs "-DCOUNT_REGEX=${re}" "-DCOUNT=${times}")
      endif()
      if(T_SAME_TWICE)
        list(APPEND defs "-DSAME_TWICE=ON")
      endif()
      if(DEFINED T_JSON_ARRAYS)
        list(APPEND defs "-DJSON_ARRAYS=${T_JSON_ARRAYS}")
      endif()
      if(T_HTML)
        list(GET T_HTML 0 file)
        list(GET T_HTML 1 steps)
        list(APPEND defs "-DHTML=${file}" "-DHTML_STEPS=${steps}")
      endif()
      add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} ${defs} -P ${_bsdvm_tool_script})
      set_tests_properties(${name} PROPERTIES LABELS tool TIMEOUT 60)
    endfunction()

    # The demo: 13 steps; each lists every address space (one process, then
    # two, and the kernel from the second step on) and checks it: 30 checks.
    set(_demo_steps 13)
    set(_demo_checks 30)
    set(_demo_out "${CMAKE_CURRENT_BINARY_DIR}")

    # The demo in the default format: every engine call and its result,
    # the counters moving as each step says (pages copied or taken over,
    # the stack and the heap gaining entries, wiring, paging out and in
    # with every byte right), the /proc/PID/maps columns where Linux puts
    # them, nothing left at the end, the picture in ./bsdvm-demo.html, and
    # the same output on a second run.
    bsdvm_tool_test(tool_demo SAME_TWICE RC 0
      ARGS demo
      MATCH "check: ok"
            "\n  bsdvm_sys_create\\(frames 64, swap 256 pages, page 4 KiB\\) = KERN_SUCCESS\n"
            "\n  vm_map_find\\(text 0x400000, 16 KiB of the program, VMFS_NO_SPACE, r-x, MAP_COPY_ON_WRITE\\) = KERN_SUCCESS\n"
            "\n  uvm_map\\(bss 0x406000, 8 KiB, UVM_MAPFLAG\\(rw-, rwx, UVM_INH_COPY, UVM_ADV_NORMAL, UVM_FLAG_FIXED\\|UVM_FLAG_COPYONW\\)\\) = 0\n"
            "\n  vm_map_stack\\(0x7ffffff00000, 1 MiB, rw-, MAP_STACK_GROWS_DOWN\\) = KERN_SUCCESS\n"
            "\n  bsdvm_uarea_alloc\\(kernel stack of pid 100\\) = KERN_SUCCESS\n    -> 0xffff800000001000 \\(16 KiB, wired, with a guard page below\\)\n  wired 0 -> 4\n"
            "\n  zero-fills 4 -> 6\n  file reads 0 -> 4\n  cow copies 0 -> 2\n  resident 4 -> 12\n"
            "\n  child reads 0x600000: \"HELLO, heap\"\n  parent reads 0x600000: \"hello, heap\"\n  parent reads 0x7f0000005000: \"childD\"\n  cow copies 2 -> 3\n  cow takeovers 0 -> 0\n"
            "\n  parent reads 0x404000: \"DATA!\"\n  child reads 0x404000: \"data!\"\n  cow copies 3 -> 4\n  cow takeovers 0 -> 1\n"
            "\n  stack entries 2 -> 3\n"
            "\n  heap entries 1 -> 2\n  bsdvm_copyout\\(parent, 0x608000, read-only heap\\) = KERN_PROTECTION_FAILURE\n"
            "\n  wired 8 -> 12\n"
            "\n  wrote 96 pages: pageouts 0 -> [1-9][0-9]*, swap used [1-9][0-9]*\n  read 96 pages back: pageins 0 -> 96, 0 wrong\n"
            "\n  /var/db/demo.dat at 4 KiB: \"childDle page 1\"\n"
            "\n00400000-00404000 r-xp 00000000 00:00 0                                  /usr/bin/demo\n"
            "\n00404000-00406000 rw-p 00004000 00:00 0                                  /usr/bin/demo\n"
            "\n00600000-00604000 rw-p 00000000 00:00 0                                  \\[heap\\]\n00604000-00608000 rw-p 00000000 00:00 0                                  \\[heap\\]\n00608000-00610000 r--p 00000000 00:00 0                                  \\[heap\\]\n"
            "\n7f0000004000-7f0000008000 rw-s 00000000 00:00 0                          /var/db/demo.dat\n"
            "\n7ffffffc0000-7ffffffe0000 rw-p 00000000 00:00 0                          \\[stack\\]\n"
            "\nffff800000001000-ffff800000005000 rw-p 00000000 00:00 0                  \\[uarea pid 100\\]\n"
            "\nmemory: frames 64, resident 0, free 64, wired 0, swap used 0 of 256\n[^\n]*\nleaks: none \\(resident 0, wired 0, swap used 0, anons 0, amaps 0, objects 0, vmspaces 1: the kernel's\\)\n"
            "\npicture: ${_demo_steps} steps in bsdvm-demo.html\n"
            "\ndemo: ${_demo_steps} steps, ${_demo_checks} checks, all passed\n$"
      NOMATCH "FAILED" "expectation failed" "bsdvm-demo-"
      COUNT "check: ok\n" ${_demo_checks}
      HTML bsdvm-demo.html ${_demo_steps})

    bsdvm_tool_test(tool_demo_procstat RC 0
      ARGS demo --format procstat --html ${_demo_out}/tool_demo_procstat.html
      MATCH "\n  PID              START                END PRT  RES PRES REF SHD FLAG  TP PATH\n"
            "\n  100           0x400000           0x404000 r-x    0    0   0   0 CN--- df /usr/bin/demo\n"
            "\n  100           0x600000           0x604000 rw-    0    0   0   0 ----W -- \\[heap\\]\n"
            "\n  100     0x7ffffff00000     0x7ffffffe0000 ---    0    0   0   0 ----- gd \\[guard\\]\n"
            "\n  100     0x7ffffffe0000     0x800000000000 rw-    0    0   0   0 ---D- -- \\[stack\\]\n"
            "\n    0 0xffff800000001000 0xffff800000005000 rw-    0    0   0   0 ----- -- \\[uarea pid 100\\]\n"
            "all passed\n$"
      COUNT "check: ok\n" ${_demo_checks}
      HTML ${_demo_out}/tool_demo_procstat.html ${_demo_steps})

    # Global option before the command, in the short form.
    bsdvm_tool_test(tool_demo_json RC 0
      ARGS -f json demo --html=${_demo_out}/tool_demo_json.html
      MATCH "\n\\[\\]\n"
            "\"flags\": \\[\"guard\", \"stack_gap_dn\"\\]"
            "\"inherit\": \"share\""
            "\"flags\": \\[\"user_wired\"\\], \"wired\": 1,"
            "all passed\n$"
      JSON_ARRAYS ${_demo_checks})

    bsdvm_tool_test(tool_format_equals RC 0
      ARGS --format=procstat demo --html ${_demo_out}/tool_format_equals.html
      MATCH "  PID              START")

    # A picture that cannot be written fails the demo (after all its steps).
    bsdvm_tool_test(tool_demo_html_unwritable RC 1
      ARGS demo --html ${_demo_out}/no-such-dir/demo.html
      MATCH "\ndemo: FAILED"
      STDERR "cannot write [^\n]*no-such-dir/demo.html")

    bsdvm_tool_test(tool_version RC 0
      ARGS --version
      MATCH "^bsdvm ${PROJECT_VERSION_MAJOR}\\.${PROJECT_VERSION_MINOR}\\.${PROJECT_VERSION_PATCH}\n$")

    bsdvm_tool_test(tool_help RC 0
      ARGS help
      MATCH "^usage: bsdvm " "\n  demo ")
    bsdvm_tool_test(tool_help_h RC 0
      ARGS -h
      MATCH "^usage: bsdvm ")
    bsdvm_tool_test(tool_help_demo RC 0
      ARGS help demo
      MATCH "^usage: bsdvm demo ")

    # Usage errors: exit status 2, a message on stderr, nothing on stdout.
    bsdvm_tool_test(tool_bad_command RC 2
      ARGS frobnicate
      NOMATCH "."
      STDERR "unknown command 'frobnicate'")
    bsdvm_tool_test(tool_no_command RC 2
      NOMATCH "."
      STDERR "^usage: bsdvm ")
    bsdvm_tool_test(tool_bad_format RC 2
      ARGS demo --format xml
      NOMATCH "."
      STDERR "unknown format 'xml'")
    bsdvm_tool_test(tool_missing_value RC 2
      ARGS demo --format
      NOMATCH "."
      STDERR "needs a value")
    bsdvm_tool_test(tool_bad_option RC 2
      ARGS demo --bogus
      NOMATCH "."
      STDERR "unknown option '--bogus'")
    bsdvm_tool_test(tool_html_missing_value RC 2
      ARGS demo --html
      NOMATCH "."
      STDERR "option '--html' needs a value")
    bsdvm_tool_test(tool_extra_argument RC 2
      ARGS demo extra
      NOMATCH "."
      STDERR "unexpected argument 'extra'")

    # The manual page, when mandoc is around.
    find_program(BSDVM_MANDOC mandoc)
    if(BSDVM_MANDOC)
      add_test(NAME tool_man_lint
        COMMAND ${BSDVM_MANDOC} -Tlint -Wwarning ${PROJECT_SOURCE_DIR}/man/bsdvm.1)
      set_tests_properties(tool_man_lint PROPERTIES LABELS tool)
    endif()
  endif()
endif()

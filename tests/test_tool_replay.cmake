# test_tool_replay.cmake - tests of "bsdvm replay" and of its HTML picture.
#
# Included by tests/CMakeLists.txt, it registers the tests (all named
# tool_replay_* or tool_picture_*).  Each replay test runs this same file
# in script mode (cmake -P) with -D settings, which runs the tool once and
# checks its exit status and output:
#
#   TOOL            the bsdvm executable
#   NARGS, ARG<i>   its arguments (numbered: a list would split on ';')
#   RC              the expected exit status
#   NMATCH, MATCH<i>        regexes standard output must match
#   NNOMATCH, NOMATCH<i>    regexes standard output must not match
#   NSTDERR, STDERR<i>      regexes standard error must match
#   COUNT_REGEX, COUNT      standard output matches COUNT_REGEX exactly COUNT times
#
# The traces are in examples/traces (recorded from real programs, each with
# the /proc/PID/maps seed of its first execve) and tests/replay (written by
# hand, one feature each).

if(CMAKE_SCRIPT_MODE_FILE)
  cmake_policy(VERSION 3.16...3.28)

  set(args "")
  if(NARGS GREATER 0)
    math(EXPR last "${NARGS} - 1")
    foreach(i RANGE ${last})
      list(APPEND args "${ARG${i}}")
    endforeach()
  endif()
  execute_process(COMMAND "${TOOL}" ${args}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(shown "bsdvm ${args}\n--- exit status ${rc}\n--- stdout:\n${out}--- stderr:\n${err}")
  if(NOT rc STREQUAL "${RC}")
    message(FATAL_ERROR "exit status ${rc}, expected ${RC}\n${shown}")
  endif()
  foreach(kind MATCH NOMATCH STDERR)
    if(N${kind} GREATER 0)
      math(EXPR last "${N${kind}} - 1")
      foreach(i RANGE ${last})
        set(re "${${kind}${i}}")
        if(kind STREQUAL "STDERR")
          if(NOT err MATCHES "${re}")
            message(FATAL_ERROR "stderr does not match '${re}'\n${shown}")
          endif()
        elseif(kind STREQUAL "MATCH")
          if(NOT out MATCHES "${re}")
            message(FATAL_ERROR "stdout does not match '${re}'\n${shown}")
          endif()
        elseif(out MATCHES "${re}")
          message(FATAL_ERROR "stdout matches '${re}'\n${shown}")
        endif()
      endforeach()
    endif()
  endforeach()
  if(DEFINED COUNT_REGEX)
    string(REGEX MATCHALL "${COUNT_REGEX}" hits "${out}")
    list(LENGTH hits n)
    if(NOT n EQUAL COUNT)
      message(FATAL_ERROR "'${COUNT_REGEX}' occurs ${n} times, expected ${COUNT}\n${shown}")
    endif()
  endif()

elseif(TARGET bsdvm)
  set(_replay_script "${CMAKE_CURRENT_LIST_FILE}")
  set(_traces "${PROJECT_SOURCE_DIR}/examples/traces")
  set(_hand "${CMAKE_CURRENT_LIST_DIR}/replay")

  # replay_test(NAME RC n [ARGS ...] [MATCH ...] [NOMATCH ...] [STDERR ...]
  #   [COUNT regex n])
  function(replay_test name)
    cmake_parse_arguments(T "" "RC" "ARGS;MATCH;NOMATCH;STDERR;COUNT" ${ARGN})
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
    add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} ${defs} -P ${_replay_script})
    set_tests_properties(${name} PROPERTIES LABELS tool TIMEOUT 120)
  endfunction()

  # ---- recorded traces, fixed placement with their seeds: every recorded
  # result is reproduced.  "Unknown ranges" are the ld.so mprotects of
  # programs exec'd by a child, whose kernel-made mappings no seed shows.
  replay_test(tool_replay_ls RC 0
    ARGS replay --maps0 ${_traces}/ls.maps0 ${_traces}/ls.trace
    MATCH "\n== process [0-9]+: /bin/ls \\(exited with 0\\)\n"
          "\n7ffff7fc8000-7ffff7fca000 r-xp 00000000 00:00 0 +\\[vdso\\]\n"
          "/usr/lib/x86_64-linux-gnu/libc.so.6\n"
          "\nprocesses 1, threads 1,"
          "\nseed: [^\n]*: 13 mappings, 1 skipped\n"
          "\nunknown ranges: 0 "
          "\nresult mismatches: 0\n"
    NOMATCH "check: FAILED")
  replay_test(tool_replay_python3 RC 0
    ARGS replay --maps0 ${_traces}/python3.maps0 ${_traces}/python3.trace
    MATCH "\nprocesses 1, threads 1," "\nunknown ranges: 0 " "\nresult mismatches: 0\n"
          "r-xp 0001f000 00:00 0 +/usr/bin/python3.11\n")
  replay_test(tool_replay_pipeline RC 0
    ARGS replay --maps0 ${_traces}/pipeline.maps0 ${_traces}/pipeline.trace
    MATCH "\nprocesses 4, threads 4, address spaces 7, execve 3 \\(0 failed\\)\n"
          ": /usr/bin/tr \\(exited with 0, child of [0-9]+\\)"
          "\nunknown ranges: 4 " "\nresult mismatches: 0\n")
  replay_test(tool_replay_vmtour RC 0
    ARGS replay --maps0 ${_traces}/vmtour.maps0 ${_traces}/vmtour.trace
    MATCH "\nprocesses 3, threads 5, address spaces 4, execve 2 \\(1 failed\\)\n"
          "\nreplayed: [^\n]*mremap 2, [^\n]*shmat 1, shmdt 2, shmget 1, vfork 1\n"
          "\nsignals checked: 2 \\(2 agree\\)\n"
          "\nresult mismatches: 0\n")
  # The same traces with bsdvm choosing the addresses: later calls follow
  # their mappings through the translation table.
  foreach(t ls pipeline vmtour)
    replay_test(tool_replay_${t}_first_fit RC 0
      ARGS replay --place first-fit --maps0 ${_traces}/${t}.maps0 ${_traces}/${t}.trace
      MATCH "placement first-fit" "\nresult mismatches: 0\n")
  endforeach()
  # First fit puts a mapping right above python's low heap, which then
  # cannot grow: three brk calls fail in bsdvm.
  replay_test(tool_replay_python3_first_fit RC 0
    ARGS replay --place first-fit --maps0 ${_traces}/python3.maps0 ${_traces}/python3.trace
    MATCH "\nresult mismatches: 3\n" "brk\\(0x[0-9a-f]+\\) = 0x[0-9a-f]+\n    moving the break")
  replay_test(tool_replay_vmtour_random RC 0
    ARGS replay --place random --seed 3 --maps0 ${_traces}/vmtour.maps0
         ${_traces}/vmtour.trace
    MATCH "placement random" "\nresult mismatches: 0\n")
  # Without a seed, the kernel's mappings are unknown: the calls on them
  # are counted, not failed.
  replay_test(tool_replay_no_seed RC 0
    ARGS replay ${_traces}/ls.trace
    MATCH "\nunknown ranges: 2 " "\nresult mismatches: 0\n")
  replay_test(tool_replay_json RC 0
    ARGS replay --format json --maps0 ${_traces}/ls.maps0 ${_traces}/ls.trace
    MATCH "\n  .\"start\": \"0x555555554000\", \"end\": \"0x555555558000\", \"prot\": \"r--\""
          "\"path\": \"\\[stack\\]\"}\n\\]\n")

  # ---- hand-written traces, one feature each
  # Threads: unfinished/resumed in completion order (the munmap finishes
  # before the mmap that reuses its range), a thread sharing the address
  # space, a fork whose child's lines come before the clone returns.
  replay_test(tool_replay_threads RC 0
    ARGS replay ${_hand}/threads.trace
    MATCH "\nprocesses 2, threads 3, address spaces 3, execve 1 \\(0 failed\\)\n"
          "== process 100: /usr/bin/prog \\(exited with 0\\)\n7f0000000000-7f0000001000 ---p[^\n]*\n7f0000001000-7f0000008000 rw-p[^\n]*\n7f0000008000-7f0000010000 r--p"
          "== process 102: /usr/bin/prog \\(exited with 7, child of 100\\)\n7f0000001000-7f0000008000 rw-p[^\n]*\n7f0000008000-7f0000010000 r--p[^\n]*\n7f0000100000-7f0000101000 r--p"
          "\nreplayed: clone 1, clone3 1, execve 1, mmap 3, mprotect 1, munmap 2\n"
          "\nno effect on the map: exit 1, exit_group 2, wait4 1\n"
          "\nresult mismatches: 0\n")
  # execve from a thread: "<pid changed to 100 ...>", the leader's call
  # cut short ("= ?", not applied), the thread takes over the leader's TID
  # and the process gets a new address space.
  replay_test(tool_replay_exec_thread RC 0
    ARGS replay ${_hand}/exec_thread.trace
    MATCH "\n== process 100: /bin/true \\(exited with 0\\)\n7f0000200000-7f0000202000 r--p[^\n]*\nstats: entries 1,"
          "\nprocesses 1, threads 2, address spaces 3, execve 2 \\(0 failed\\)\n"
          "\noutcome unknown \\(= \\?\\): mprotect 1\n" "\nresult mismatches: 0\n")
  # vfork: the child's mmap before execve lands in the parent's space; a
  # failed execve changes nothing, a successful one starts a new space.
  replay_test(tool_replay_vfork_exec RC 0
    ARGS replay ${_hand}/vfork_exec.trace
    MATCH "== process 200: /bin/sh \\(exited with 0\\)\n7f0000000000-7f0000002000 rw-p[^\n]*\n7f0000100000-7f0000101000 rw-p"
          "== process 201: /bin/true \\(exited with 0, child of 200\\)\n7f0000200000-7f0000203000 r--p[^\n]*\nstats"
          "execve 2 \\(1 failed\\)" "\nfailed in the trace \\(not applied\\): execve 1\n"
          "\nresult mismatches: 0\n")
  # Signals are checked against the map; one disagrees on purpose.
  replay_test(tool_replay_signals RC 0
    ARGS replay ${_hand}/signals.trace
    MATCH "== process 300 \\(killed by SIGSEGV\\)"
          "\nsignals checked: 3 \\(2 agree\\)\n" "\nresult mismatches: 1\n"
          "signals.trace:4: pid 300: --- SIGSEGV [^\n]*SEGV_MAPERR[^\n]*\n    SEGV_MAPERR at 0x7f0000001000, but bsdvm has it mapped")
  replay_test(tool_replay_strict RC 1
    ARGS replay --strict ${_hand}/signals.trace
    MATCH "\nresult mismatches: 1\n")
  replay_test(tool_replay_malformed RC 3
    ARGS replay ${_hand}/malformed.trace
    NOMATCH "."
    STDERR "^bsdvm: [^\n]*malformed.trace:3: not a line of strace output")
  # a bad line while records of a TID not seen yet are kept: exit 3, and
  # (under the sanitizers) nothing kept may leak
  replay_test(tool_replay_malformed_kept RC 3
    ARGS replay ${_hand}/malformed_kept.trace
    NOMATCH "."
    STDERR "^bsdvm: [^\n]*malformed_kept.trace:3: not a line of strace output")
  # an empty trace replays nothing and says so
  replay_test(tool_replay_empty RC 0
    ARGS replay ${_hand}/empty.trace
    MATCH "\ntrace: [^\n]*empty.trace, 0 records\n" "\nresult mismatches: 0\n")
  replay_test(tool_replay_missing_file RC 3
    ARGS replay ${_hand}/no-such.trace
    NOMATCH "." STDERR "no-such.trace: No such file")
  replay_test(tool_replay_bad_seed RC 3
    ARGS replay --maps0 ${_hand}/malformed.trace ${_hand}/place.trace
    NOMATCH "." STDERR "malformed.trace:1: ")
  replay_test(tool_replay_unknown RC 0
    ARGS replay ${_hand}/unknown.trace
    MATCH "\nunknown syscalls: openat 2, read 1, syscall_0x1c4 1\n"
          "\n7f0000000000-7f0000001000 rw-p " "\nresult mismatches: 0\n")
  # Placement: bsdvm chooses, and the later mprotect and munmap of the
  # traced addresses reach the replayed ones.
  replay_test(tool_replay_place_first_fit RC 0
    ARGS replay --place first-fit ${_hand}/place.trace
    MATCH "\n== process 600 \\(exited with 0\\)\n00003000-00004000 ---p 00000000 00:00 0\nstats: entries 1,"
          "\nresult mismatches: 0\n")
  replay_test(tool_replay_place_fixed RC 0
    ARGS replay ${_hand}/place.trace
    MATCH "\n== process 600 \\(exited with 0\\)\n7f0000010000-7f0000011000 ---p 00000000 00:00 0\nstats: entries 1,")
  replay_test(tool_replay_mremap RC 0
    ARGS replay ${_hand}/mremap.trace
    MATCH "\n7f0000008000-7f0000009000 r--p[^\n]*\n7f0000200000-7f0000204000 rw-p[^\n]*\n7f0000300000-7f0000304000 rw-p[^\n]*\nstats"
          "\nreplayed: mmap 2, mremap 5\n" "failed in the trace \\(not applied\\): mremap 1\n"
          "\nresult mismatches: 0\n")
  replay_test(tool_replay_mremap_first_fit RC 0
    ARGS replay --place top-down ${_hand}/mremap.trace
    MATCH "\nresult mismatches: 0\n" "stats: entries 3, size 36 KiB")
  # System V segments (size from shmget), DONTFORK/WIPEONFORK and mlock
  # seen through fork: the child can map into the DONTFORK hole.
  replay_test(tool_replay_shm_fork RC 0
    ARGS replay --format procstat ${_hand}/shm_fork.trace
    MATCH "\n  800     0x7f0000103000     0x7f0000104000 rw-    0    0   0   0 ----W --\n"
          "\n  800     0x7f0000200000     0x7f0000203000 r--    0    0   0   0 ----- df /SYSV00000000\n"
          "\n  801     0x7f0000100000     0x7f0000101000 r--    0    0   0   0 ----- --\n"
          "\nreplayed: fork 1, madvise 3, mlock 1, mmap 2, shmat 2, shmdt 2, shmget 1\n"
          "\nresult mismatches: 0\n"
    NOMATCH "\n  801 [^\n]*SYSV")
  # brk: the heap from the first brk(NULL), grown, shrunk, a refused move.
  replay_test(tool_replay_brk RC 0
    ARGS replay ${_hand}/brk.trace
    MATCH "\n555555560000-555555571000 rw-p 00000000 00:00 0 +\\[heap\\]\n"
          "\nfailed in the trace \\(not applied\\): brk 2\n" "\nresult mismatches: 0\n")
  replay_test(tool_replay_usage RC 2
    ARGS replay --place sideways ${_hand}/brk.trace
    NOMATCH "." STDERR "unknown placement 'sideways'")
  replay_test(tool_replay_no_trace RC 2
    ARGS replay NOMATCH "." STDERR "needs the trace file")
  replay_test(tool_replay_help RC 0
    ARGS help replay MATCH "^usage: bsdvm replay ")

  # ---- the picture, in a headless browser when there is one
  find_program(BSDVM_CHROMIUM NAMES chromium chromium-browser)
  add_test(NAME tool_picture_replay
    COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/tool_replay_picture.sh $<TARGET_FILE:bsdvm>
      ${_hand} ${CMAKE_CURRENT_BINARY_DIR}/picture "${BSDVM_CHROMIUM}")
  set_tests_properties(tool_picture_replay PROPERTIES LABELS tool TIMEOUT 300
    SKIP_RETURN_CODE 77)
endif()

# test_compat_freebsd / test_compat_netbsd: the two API faces against their
# manual pages.  Both start threads (a map or process lock held elsewhere,
# UVM_FLAG_TRYLOCK, UVM_FLAG_WAITVA, UVM_LK_ENTER), so they also run in the
# TSan pass (`ctest -L threads`).  A broken lock shows as a hang, hence the
# short timeout.
set_tests_properties(test_compat_freebsd test_compat_netbsd PROPERTIES
  LABELS threads TIMEOUT 300)

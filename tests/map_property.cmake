# test_map_property: 1,000,000 random engine operations checked against the
# page-array model (about 2 s optimised, 6 s under address,undefined); run
# alone with `ctest -L property`.  An engine that loops in a search would
# otherwise sit out the default 900 s.
if(TEST test_map_property)
  set_tests_properties(test_map_property PROPERTIES LABELS property TIMEOUT 300)
endif()

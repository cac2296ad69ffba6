# Tokens and secrets (issue 13, parts 5 and 7): credentials only in the Authorization header
# (a one-use stream ticket for EventSource), no secret in the access log, expiry and
# rotation, the demo's credentials only to loopback and never the administrator's, /metrics
# not public. tokens_test.cc drives a real `closeloop serve` (tests/api/api_fixture.h);
# tokens_unit_test.cc checks the predicates and stores underneath.
closeloop_test(security_tokens_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tokens_test.cc ${CMAKE_CURRENT_LIST_DIR}/tokens_demo_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/tokens_unit_test.cc ${CMAKE_SOURCE_DIR}/tests/api/api_fixture.cc
  LIBS closeloop_http closeloop_rocksdb closeloop_test_support PkgConfig::HTTPLIB
       nlohmann_json::nlohmann_json
  LABELS security)
add_dependencies(security_tokens_test closeloop)
target_compile_definitions(security_tokens_test PRIVATE CLOSELOOP_BIN="$<TARGET_FILE:closeloop>")

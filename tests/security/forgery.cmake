# Publishing and acting as someone else: authorization on the parsed record, identities
# that cannot be reused (issue 13, parts 1 and 6).
closeloop_test(security_forgery_test
  SOURCES ${CMAKE_SOURCE_DIR}/tests/api/api_fixture.cc forgery_test.cc
  LIBS closeloop_test_support PkgConfig::HTTPLIB nlohmann_json::nlohmann_json
  LABELS "security;api")
add_dependencies(security_forgery_test closeloop)
target_compile_definitions(security_forgery_test PRIVATE CLOSELOOP_BIN="$<TARGET_FILE:closeloop>")

# Issue 13 part 2 (parsers that cannot be crashed) and part 7's error fields, against a real
# server and the real `closeloop publish` (parsers_test.cc). The fuzz targets of the same
# boundaries are registered by parsers_fuzz.cmake.
closeloop_test(security_parsers_test
  SOURCES parsers_test.cc ${CMAKE_SOURCE_DIR}/tests/api/api_fixture.cc
  LIBS closeloop_test_support PkgConfig::HTTPLIB nlohmann_json::nlohmann_json
  LABELS security)
add_dependencies(security_parsers_test closeloop)
target_compile_definitions(security_parsers_test PRIVATE CLOSELOOP_BIN="$<TARGET_FILE:closeloop>")

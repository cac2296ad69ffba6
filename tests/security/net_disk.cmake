# Issue 13, parts 3 and 4: connections that cannot starve the server (net_test.cc), a bounded
# soak of every kind of abuse at once while a staff client keeps its p99 (soak_test.cc), and
# a full disk (disk_test.cc). All against a real `closeloop serve` on loopback; one
# executable, so the fixture is compiled once.
closeloop_test(net_disk_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/net_test.cc ${CMAKE_CURRENT_LIST_DIR}/soak_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/disk_test.cc ${CMAKE_CURRENT_LIST_DIR}/net_support.cc
          ${CMAKE_SOURCE_DIR}/tests/api/api_fixture.cc
  LIBS closeloop_test_support PkgConfig::HTTPLIB nlohmann_json::nlohmann_json Threads::Threads
  LABELS security)
add_dependencies(net_disk_test closeloop)
target_compile_definitions(net_disk_test PRIVATE CLOSELOOP_BIN="$<TARGET_FILE:closeloop>")

# Issue 13, parts 3 and 4: connections that cannot starve the server (net_test), a bounded
# soak of every kind of abuse at once while a staff client keeps its p99 (soak_test), and a
# full disk (disk_test). All against a real `closeloop serve` on loopback.
add_library(closeloop_net_support STATIC ${CMAKE_CURRENT_LIST_DIR}/net_support.cc)
target_link_libraries(closeloop_net_support PUBLIC closeloop_base)

foreach(t net_test soak_test disk_test)
  closeloop_test(${t}
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/${t}.cc ${CMAKE_SOURCE_DIR}/tests/api/api_fixture.cc
    LIBS closeloop_net_support closeloop_test_support PkgConfig::HTTPLIB
         nlohmann_json::nlohmann_json Threads::Threads
    LABELS security)
  add_dependencies(${t} closeloop)
  target_compile_definitions(${t} PRIVATE CLOSELOOP_BIN="$<TARGET_FILE:closeloop>")
endforeach()

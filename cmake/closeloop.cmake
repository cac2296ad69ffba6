# closeloop_test(NAME SOURCES a_test.cc ... LIBS lib ...)
# One doctest executable per module; every TEST_CASE is its own CTest test.
include(${doctest_DIR}/doctest.cmake)

function(closeloop_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${CMAKE_SOURCE_DIR}/tests/support/doctest_main.cc ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} doctest::doctest)
  target_compile_definitions(${name} PRIVATE
    CLOSELOOP_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    CLOSELOOP_BINARY_DIR="${CMAKE_BINARY_DIR}")
  set(labels ${T_LABELS})
  if(NOT labels)
    set(labels unit)
  endif()
  doctest_discover_tests(${name} TEST_PREFIX "${name}: " PROPERTIES LABELS "${labels}")
endfunction()

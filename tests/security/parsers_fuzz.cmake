# The parsers' fuzz targets (labels `fuzz` and `security`), one per boundary where JSON
# enters: record JSON (events), API request bodies (connectors/http/json_body.h), reference
# data documents (engine) and JSON Lines files (connectors/file). As in dsl/CMakeLists.txt:
# libFuzzer needs clang while the main build uses g++, so each source is compiled once by a
# custom command (clang++ -fsanitize=fuzzer-no-link,address,undefined) into a pool the
# targets share, and each target is linked with -fsanitize=fuzzer. CTest runs each for
# 20 s from the corpus kept in fuzz/corpus/<target without _fuzz>/ (docs/operations.md, "Fuzzing").
set(PARSER_FUZZ_TARGETS record_json_fuzz json_body_fuzz reference_data_fuzz jsonl_fuzz)
find_program(CLOSELOOP_CLANGXX NAMES clang++ clang++-14)
if(NOT CLOSELOOP_CLANGXX)
  foreach(target ${PARSER_FUZZ_TARGETS})
    add_test(NAME "${target}: skipped"
      COMMAND ${CMAKE_COMMAND} -E echo "clang++ not found: ${target} skipped")
    set_tests_properties("${target}: skipped" PROPERTIES LABELS "fuzz;security"
                         SKIP_REGULAR_EXPRESSION "skipped")
  endforeach()
  return()
endif()

set(pf_dir ${CMAKE_CURRENT_BINARY_DIR}/parsers_fuzz)
set(pf_gen ${CMAKE_BINARY_DIR}/generated)
set(pf_src ${CMAKE_SOURCE_DIR})
set(pf_flags -std=c++20 -O1 -g -fno-omit-frame-pointer
    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
    -I${pf_src} -I${pf_gen} -DCLOSELOOP_SOURCE_DIR="${pf_src}")

# Compiles `src` once into the pool; the object's path goes to `var`.
function(pf_object src var)
  file(RELATIVE_PATH rel ${pf_src} ${src})
  string(REGEX REPLACE "[/.]" "_" stem ${rel})
  set(obj ${pf_dir}/${stem}.o)
  get_property(defined GLOBAL PROPERTY pf_defined_${stem})
  if(NOT defined)
    set_property(GLOBAL PROPERTY pf_defined_${stem} TRUE)
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${pf_dir}
      COMMAND ${CLOSELOOP_CLANGXX} ${pf_flags} -MD -MF ${obj}.d -c ${src} -o ${obj}
      DEPENDS ${src}
      DEPFILE ${obj}.d
      COMMENT "clang++ (fuzz) ${rel}"
      VERBATIM)
  endif()
  set(${var} ${obj} PARENT_SCOPE)
endfunction()

set(pf_base base/status.cc base/json_check.cc)
set(pf_events events/ids.cc events/hash.cc events/partition.cc events/record.cc
    events/schema.cc events/json_locator.cc events/json_codec.cc events/validate.cc)
set(pf_file connectors/file/ingress.cc connectors/file/jsonl.cc)
set(pf_sources_record_json_fuzz ${pf_base} ${pf_events} ${pf_file})
set(pf_sources_jsonl_fuzz ${pf_base} ${pf_events} ${pf_file})
set(pf_sources_json_body_fuzz ${pf_base} connectors/http/json_body.cc)
# base/time_text.cc: the experts' absences are ISO 8601 times (date-tz below).
set(pf_sources_reference_data_fuzz ${pf_base} ${pf_events} base/time_text.cc
    engine/reference_data.cc engine/reference_tables.cc engine/reference_consistency.cc
    engine/routing_table.cc)

# Every source once, even when several targets link it.
set(pf_all)
foreach(target ${PARSER_FUZZ_TARGETS})
  list(APPEND pf_all ${pf_sources_${target}})
endforeach()
list(REMOVE_DUPLICATES pf_all)
foreach(rel ${pf_all})
  pf_object(${pf_src}/${rel} obj)
endforeach()
pf_object(${pf_gen}/events/record_bfbs.cc bfbs_obj)
set_source_files_properties(${pf_gen}/events/record_bfbs.cc PROPERTIES GENERATED TRUE)

foreach(target ${PARSER_FUZZ_TARGETS})
  set(objects)
  foreach(rel ${pf_sources_${target}} tests/security/fuzz/${target}.cc)
    pf_object(${pf_src}/${rel} obj)
    list(APPEND objects ${obj})
  endforeach()
  set(libs)
  if(NOT target STREQUAL "json_body_fuzz")
    list(APPEND objects ${bfbs_obj})
    set(libs -lflatbuffers -lcrypto)
  endif()
  if(target STREQUAL "reference_data_fuzz")
    list(APPEND libs -ldate-tz)
  endif()
  add_custom_command(
    OUTPUT ${pf_dir}/${target}
    COMMAND ${CLOSELOOP_CLANGXX} -fsanitize=fuzzer,address,undefined ${objects}
            -o ${pf_dir}/${target} ${libs}
    DEPENDS ${objects}
    COMMENT "clang++ (fuzz) link ${target}"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS ${pf_dir}/${target})
  add_dependencies(${target} closeloop_events)  # the generated headers and schema
  # New inputs go to the build tree; the kept corpus seeds it and is never written. The
  # working corpus starts empty each run so the run stays bounded however often it runs.
  string(REGEX REPLACE "_fuzz$" "" corpus_name ${target})  # fuzz/corpus/jsonl, not jsonl_fuzz
  if(NOT IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${corpus_name})
    message(FATAL_ERROR "no kept corpus for ${target}: fuzz/corpus/${corpus_name}")
  endif()
  set(name "${target}: the parser survives 20 s of coverage-guided fuzzing")
  add_test(NAME "${name}"
    COMMAND sh -c "rm -rf \"$1\" && mkdir -p \"$1\" && exec \"$0\" -max_total_time=20 \
-timeout=10 -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \"$1\" \"$2\""
            ${pf_dir}/${target} ${pf_dir}/corpus_${target}
            ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${corpus_name})
  set_tests_properties("${name}" PROPERTIES LABELS "fuzz;security" TIMEOUT 180)
endforeach()

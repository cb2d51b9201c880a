# SPDX-License-Identifier: Apache-2.0
# The three helpers every folder uses, so tests, benchmarks and labs are
# registered one way.

# gregor_add_test(<name> LABEL <label> SOURCES <files...> LIBS <libs...>)
# A GoogleTest binary whose cases become CTest tests carrying LABEL.
# Discovery runs just before the tests (PRE_TEST), not at build time, so a
# sanitizer or cross build never executes test binaries while building.
function(gregor_add_test name)
  cmake_parse_arguments(T "" "LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_LABEL)
    set(T_LABEL unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
                       PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT})
endfunction()

# gregor_add_bench(<chNN_topic> LIBS <libs...>)
# bench/chNN_topic_bench.cpp -> binary chNN_topic_bench, plus a bench-smoke
# CTest run that keeps it compiling and running (tiny min time).
function(gregor_add_bench name)
  cmake_parse_arguments(B "" "" "LIBS;SMOKE_ARGS" ${ARGN})
  add_executable(${name}_bench ${name}_bench.cpp)
  target_link_libraries(${name}_bench PRIVATE ${B_LIBS} benchmark::benchmark)
  add_test(NAME ${name}_bench_smoke
           COMMAND ${name}_bench --benchmark_min_time=0.001 ${B_SMOKE_ARGS})
  set_tests_properties(${name}_bench_smoke PROPERTIES LABELS bench-smoke TIMEOUT 300
                       ENVIRONMENT "GREGOR_BENCH_SMOKE=1")
  set_property(GLOBAL APPEND PROPERTY GREGOR_BENCHES ${name}_bench)
endfunction()

# gregor_add_lab(<NN> TESTS <test sources...> SOLUTION <sources with
#                LAB-NN regions...> LIBS <libs...>)
# Builds two binaries from the same lab tests:
#   lab-NN-tests           against the reference implementation;
#   lab-NN-skeleton-tests  against the student skeleton of SOLUTION files
#                          (regions replaced by NotImplemented stubs), linked
#                          before LIBS so the reference objects are not used.
# CTest (label lab-NN): every lab case passes on the reference, and the
# skeleton compiles and passes none of them. TESTS are relative to the
# calling folder, SOLUTION to the repository root. In a student tree
# (no LAB-NN regions left) only lab-NN-tests and lab-NN-reference exist.
function(gregor_add_lab nn)
  cmake_parse_arguments(L "" "" "TESTS;SOLUTION;LIBS" ${ARGN})
  set(py /usr/bin/python3)
  set(gen ${PROJECT_SOURCE_DIR}/scripts/lab_skeleton.py)
  add_executable(lab-${nn}-tests ${L_TESTS} ${PROJECT_SOURCE_DIR}/labs/lab_main.cpp)
  target_link_libraries(lab-${nn}-tests PRIVATE ${L_LIBS} GTest::gmock GTest::gtest)
  add_test(NAME lab-${nn}-reference COMMAND lab-${nn}-tests)
  set_tests_properties(lab-${nn}-reference PROPERTIES LABELS lab-${nn} TIMEOUT 300)

  # In a student tree (make lab-NN-skeleton) the regions are already stubs:
  # there is no reference to carve, and lab-NN-tests is the student's run.
  set(has_regions FALSE)
  foreach(src ${L_SOLUTION})
    file(STRINGS ${PROJECT_SOURCE_DIR}/${src} marks REGEX "// LAB-${nn}: BEGIN SOLUTION")
    if(marks)
      set(has_regions TRUE)
    endif()
  endforeach()
  if(NOT has_regions)
    message(STATUS "lab-${nn}: no LAB-${nn} regions (a student tree); no skeleton check")
    return()
  endif()

  set(skel_dir ${CMAKE_BINARY_DIR}/labs/skeleton-${nn})
  set(skel_sources "")
  foreach(src ${L_SOLUTION})
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/${src})
    list(APPEND skel_sources ${skel_dir}/${rel})
    add_custom_command(OUTPUT ${skel_dir}/${rel}
      COMMAND ${py} ${gen} --lab ${nn} --file ${PROJECT_SOURCE_DIR}/${src}
              --out ${skel_dir}/${rel}
      DEPENDS ${PROJECT_SOURCE_DIR}/${src} ${gen}
      COMMENT "LAB-${nn} skeleton of ${rel}")
  endforeach()
  add_executable(lab-${nn}-skeleton-tests ${L_TESTS} ${skel_sources}
                 ${PROJECT_SOURCE_DIR}/labs/lab_main.cpp)
  # The skeleton's .cpp includes its own headers with "folder/x.h", which
  # still resolve to src/: only the .cpp bodies differ.
  target_link_libraries(lab-${nn}-skeleton-tests PRIVATE ${L_LIBS} GTest::gmock GTest::gtest)
  # A stub leaves parameters unused; that is the student's to fix, not an error.
  target_compile_options(lab-${nn}-skeleton-tests PRIVATE -Wno-error -Wno-unused-parameter)

  add_test(NAME lab-${nn}-skeleton-fails
           COMMAND ${py} ${PROJECT_SOURCE_DIR}/scripts/lab_check_skeleton.py
                   $<TARGET_FILE:lab-${nn}-skeleton-tests>)
  set_tests_properties(lab-${nn}-skeleton-fails PROPERTIES LABELS lab-${nn} TIMEOUT 300)
endfunction()

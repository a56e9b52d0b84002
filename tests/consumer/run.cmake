# Installs dist from BINARY_DIR into a scratch prefix, then configures, builds
# and runs the consumer: against the installed package (asking for the hdf5
# component when HAVE_HDF5), through add_subdirectory of SOURCE_DIR, and as
# a Makefile build would, with pkg-config's flags for dist.pc, and on a
# machine where pkg-config finds none of the extras. Also checks
# that an unknown component, and a requested one that cannot be found, fail
# find_package naming them, and that the install holds what packagers expect.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err WORKING_DIRECTORY ${WORK_DIR})
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()
function(must_fail pattern)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0 OR NOT "${out}${err}" MATCHES "${pattern}")
    message(FATAL_ERROR "expected a failure mentioning '${pattern}' (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()
find_program(MPIEXEC NAMES mpiexec mpirun REQUIRED)
execute_process(COMMAND ${MPIEXEC} --version OUTPUT_VARIABLE v ERROR_QUIET)
set(flags "")
if(v MATCHES "Open MPI|OpenRTE")
  set(flags --oversubscribe)
endif()
function(expect_run exe pattern)
  run(${MPIEXEC} -n 2 ${flags} ${exe})
  if(NOT last_output MATCHES "${pattern}")
    message(FATAL_ERROR "${exe}: unexpected output: ${last_output}")
  endif()
  message(STATUS "${exe}: ${last_output}")
endfunction()

run(${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${prefix})
foreach(f include/dist/dist.hpp include/dist/separate.hpp share/dist/separate.cpp share/doc/dist/README.md share/doc/dist/reproducible.md)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "the install lacks ${f}")
  endif()
endforeach()
file(GLOB_RECURSE config ${prefix}/*/distConfig.cmake)
file(GLOB_RECURSE pc ${prefix}/*/pkgconfig/dist.pc)
if(NOT config OR NOT pc)
  message(FATAL_ERROR "the install lacks lib/cmake/dist/distConfig.cmake or lib/pkgconfig/dist.pc")
endif()

set(components "")
if(HAVE_HDF5)
  set(components hdf5)
endif()
foreach(mode installed subdirectory)
  set(build ${WORK_DIR}/build-${mode})
  if(mode STREQUAL installed)
    set(extra -DCMAKE_PREFIX_PATH=${prefix} "-DDIST_COMPONENTS=${components}")
  else()
    set(extra -DDIST_SOURCE_DIR=${SOURCE_DIR})
  endif()
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${build} -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER} ${extra})
  run(${CMAKE_COMMAND} --build ${build})
  expect_run(${build}/consumer "consumer ok 4950")
  expect_run(${build}/consumer_separate "consumer ok 4950")
  if(mode STREQUAL installed AND HAVE_HDF5)
    expect_run(${build}/consumer_hdf5 "consumer hdf5 ok 4950")
  endif()
endforeach()

# a machine without any extra (pkg-config finds none of them): the package still works
set(bare ${WORK_DIR}/build-no-extras)
run(${CMAKE_COMMAND} -E env PKG_CONFIG_LIBDIR=${WORK_DIR}/no-pkgconfig PKG_CONFIG_PATH=${WORK_DIR}/no-pkgconfig
    ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${bare} -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix})
run(${CMAKE_COMMAND} --build ${bare})
expect_run(${bare}/consumer "consumer ok 4950")

# components that fail by name
must_fail("nosuch" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${WORK_DIR}/build-unknown
          -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix} -DDIST_COMPONENTS=nosuch)
must_fail("component 'petsc' was requested but not found"
          ${CMAKE_COMMAND} -E env PKG_CONFIG_LIBDIR=${WORK_DIR}/no-pkgconfig PKG_CONFIG_PATH=${WORK_DIR}/no-pkgconfig
          ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${WORK_DIR}/build-missing
          -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix} -DDIST_COMPONENTS=petsc)

# a Makefile build: the MPI wrapper plus pkg-config's flags
find_program(PKG_CONFIG pkg-config)
find_program(MPICXX NAMES mpicxx mpic++)
if(PKG_CONFIG AND MPICXX)
  get_filename_component(pcdir ${pc} DIRECTORY)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${pcdir} ${PKG_CONFIG} --cflags --libs dist
                  OUTPUT_VARIABLE pcflags RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config cannot read ${pc}")
  endif()
  separate_arguments(pcflags UNIX_COMMAND "${pcflags}")
  run(${MPICXX} -std=c++20 ${SOURCE_DIR}/tests/consumer/main.cpp -o ${WORK_DIR}/consumer_pc ${pcflags})
  expect_run(${WORK_DIR}/consumer_pc "consumer ok 4950")
else()
  message(STATUS "pkg-config or mpicxx not found: the Makefile build is not checked")
endif()

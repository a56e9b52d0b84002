# dist_mpiexec_command(<out-var> <nprocs> <command...>): the command line that
# runs <command> under mpiexec with <nprocs> ranks, oversubscribing the cores
# (Open MPI refuses more ranks than cores without it).
execute_process(COMMAND ${MPIEXEC_EXECUTABLE} --version OUTPUT_VARIABLE _dist_mpiexec_version ERROR_QUIET)
set(DIST_MPIEXEC_EXTRA_FLAGS "")
if(_dist_mpiexec_version MATCHES "Open MPI|OpenRTE")
  set(DIST_MPIEXEC_EXTRA_FLAGS --oversubscribe)
endif()
# Running as root: Open MPI wants its explicit consent.
# (one BLAS thread per rank: the ranks already fill the cores)
set(DIST_MPI_TEST_ENVIRONMENT OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1)

function(dist_mpiexec_command out nprocs)
  set(${out} ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${nprocs} ${DIST_MPIEXEC_EXTRA_FLAGS} ${MPIEXEC_PREFLAGS}
      ${ARGN} ${MPIEXEC_POSTFLAGS} PARENT_SCOPE)
endfunction()

# dist_add_mpi_test(NAME <name> SOURCES <src...> [NPROCS 1 2 3 4] [TIMEOUT s] [LIBRARIES targets...]
#                   [LABELS ...] [DEFINITIONS ...])
# Builds one GoogleTest binary (its main: the library dist_test_main, from
# tests/mpi_main.cpp, compiled once) and registers it with
# CTest once per rank count, as <name>.np<k>, labelled np<k>.
function(dist_add_mpi_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;NPROCS;LABELS;DEFINITIONS;LIBRARIES" ${ARGN})
  if(NOT T_NPROCS)
    set(T_NPROCS 1 2 3 4)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE dist_test_main dist::dist dist_dev_flags GTest::gtest ${T_LIBRARIES})
  target_compile_definitions(${T_NAME} PRIVATE ${T_DEFINITIONS})
  foreach(np IN LISTS T_NPROCS)
    dist_mpiexec_command(cmd ${np} $<TARGET_FILE:${T_NAME}>)
    add_test(NAME ${T_NAME}.np${np} COMMAND ${cmd})
    set_tests_properties(${T_NAME}.np${np} PROPERTIES TIMEOUT ${T_TIMEOUT} PROCESSORS ${np}
                         LABELS "np${np};${T_LABELS}" ENVIRONMENT "${DIST_MPI_TEST_ENVIRONMENT}")
  endforeach()
endfunction()

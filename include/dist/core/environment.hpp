// dist::environment: initialises MPI on construction and finalises it on destruction.
#pragma once

#include <boost/mpi/environment.hpp>

namespace dist {

/// Initialises MPI (thread level MPI_THREAD_FUNNELED unless asked otherwise)
/// and finalises it when destroyed. Create exactly one, first thing in main.
class environment {
 public:
  environment() : env_(boost::mpi::threading::funneled) {}
  environment(int& argc, char**& argv,
              boost::mpi::threading::level level = boost::mpi::threading::funneled)
      : env_(argc, argv, level) {}
  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;

  /// The thread level MPI granted.
  static boost::mpi::threading::level thread_level() { return boost::mpi::environment::thread_level(); }

 private:
  boost::mpi::environment env_;
};

}  // namespace dist

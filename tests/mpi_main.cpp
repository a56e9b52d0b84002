// GoogleTest main for MPI tests: initialises MPI, prints on rank 0 only, and
// after each test reduces pass/fail over all ranks and gathers the failure
// messages of every rank to rank 0, so a failure on any rank fails the test
// on all of them (and the process exit code).
#include <gtest/gtest.h>

#include <dist/core/communicator.hpp>
#include <dist/core/environment.hpp>
#include <iostream>
#include <string>
#include <vector>

namespace {

class mpi_listener : public testing::EmptyTestEventListener {
 public:
  explicit mpi_listener(testing::TestEventListener* inner) : inner_(inner) {}
  ~mpi_listener() override { delete inner_; }

  void OnTestProgramStart(const testing::UnitTest& u) override { if (root()) inner_->OnTestProgramStart(u); }
  void OnTestIterationStart(const testing::UnitTest& u, int i) override { if (root()) inner_->OnTestIterationStart(u, i); }
  void OnEnvironmentsSetUpStart(const testing::UnitTest& u) override { if (root()) inner_->OnEnvironmentsSetUpStart(u); }
  void OnEnvironmentsSetUpEnd(const testing::UnitTest& u) override { if (root()) inner_->OnEnvironmentsSetUpEnd(u); }
  void OnTestSuiteStart(const testing::TestSuite& s) override { if (root()) inner_->OnTestSuiteStart(s); }
  void OnTestStart(const testing::TestInfo& t) override {
    failures_.clear();
    if (root()) inner_->OnTestStart(t);
  }
  void OnTestPartResult(const testing::TestPartResult& r) override {
    if (r.failed())
      failures_ += std::string(r.file_name() ? r.file_name() : "?") + ":" + std::to_string(r.line_number()) + ": " +
                   r.summary() + "\n";
  }
  void OnTestEnd(const testing::TestInfo& t) override {
    const int rank = world_.rank(), size = world_.size();
    // gather every rank's failure text to rank 0
    const int len = static_cast<int>(failures_.size());
    std::vector<int> lens(static_cast<std::size_t>(size));
    MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, world_);
    std::vector<int> displs(static_cast<std::size_t>(size), 0);
    int total = 0;
    for (int r = 0; r < size; ++r) displs[static_cast<std::size_t>(r)] = total, total += lens[static_cast<std::size_t>(r)];
    std::string all(static_cast<std::size_t>(rank == 0 ? total : 0), '\0');
    MPI_Gatherv(failures_.data(), len, MPI_CHAR, all.data(), lens.data(), displs.data(), MPI_CHAR, 0, world_);
    if (rank == 0) {
      for (int r = 0; r < size; ++r)
        if (lens[static_cast<std::size_t>(r)] > 0)
          std::cout << "[  rank " << r << " ] "
                    << all.substr(static_cast<std::size_t>(displs[static_cast<std::size_t>(r)]),
                                  static_cast<std::size_t>(lens[static_cast<std::size_t>(r)]));
      // a test that failed on another rank only is reported as failed too
      if (total > 0 && t.result()->Passed())
        std::cout << "[  FAILED  ] " << t.test_suite_name() << "." << t.name() << " (failed on another rank)\n";
      inner_->OnTestEnd(t);
    }
  }
  void OnTestSuiteEnd(const testing::TestSuite& s) override { if (root()) inner_->OnTestSuiteEnd(s); }
  void OnEnvironmentsTearDownStart(const testing::UnitTest& u) override { if (root()) inner_->OnEnvironmentsTearDownStart(u); }
  void OnEnvironmentsTearDownEnd(const testing::UnitTest& u) override { if (root()) inner_->OnEnvironmentsTearDownEnd(u); }
  void OnTestIterationEnd(const testing::UnitTest& u, int i) override { if (root()) inner_->OnTestIterationEnd(u, i); }
  void OnTestProgramEnd(const testing::UnitTest& u) override { if (root()) inner_->OnTestProgramEnd(u); }

 private:
  bool root() const { return world_.rank() == 0; }
  testing::TestEventListener* inner_;
  dist::communicator world_;
  std::string failures_;
};

}  // namespace

int main(int argc, char** argv) {
  dist::environment env(argc, argv);
  testing::InitGoogleTest(&argc, argv);
  auto& listeners = testing::UnitTest::GetInstance()->listeners();
  auto* printer = listeners.Release(listeners.default_result_printer());
  listeners.Append(new mpi_listener(printer));
  int failed = RUN_ALL_TESTS();
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, dist::communicator{});
  return failed;
}

// SPDX-License-Identifier: Apache-2.0
// The labs' test main: GoogleTest with a listener that prints one
// "PASS <case>" / "FAIL <case>" line per case and a closing
// "N passed, M failed" line, which is what `make lab-NN` shows a student.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

namespace {

class LabPrinter : public testing::EmptyTestEventListener {
 public:
  void OnTestEnd(const testing::TestInfo& info) override {
    const char* verdict = "FAIL";
    if (info.result()->Skipped()) {
      verdict = "SKIP";
      ++skipped_;
    } else if (info.result()->Passed()) {
      verdict = "PASS";
      ++passed_;
    } else {
      ++failed_;
    }
    std::printf("%s %s.%s\n", verdict, info.test_suite_name(), info.name());
    std::fflush(stdout);
  }
  void OnTestProgramEnd(const testing::UnitTest&) override {
    if (skipped_ > 0) {
      std::printf("%d passed, %d failed, %d skipped\n", passed_, failed_, skipped_);
    } else {
      std::printf("%d passed, %d failed\n", passed_, failed_);
    }
  }

 private:
  int passed_ = 0, failed_ = 0, skipped_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  // Keep GoogleTest's own output for failure details, but drop its per-case
  // banners so the PASS/FAIL lines stand out. Set before InitGoogleTest,
  // which picks the result printer (and lets --gtest_brief=0 override).
  if (!getenv("GREGOR_LAB_VERBOSE")) {
    testing::GTEST_FLAG(brief) = true;
  }
  testing::InitGoogleTest(&argc, argv);
  auto& listeners = testing::UnitTest::GetInstance()->listeners();
  listeners.Append(new LabPrinter);
  return RUN_ALL_TESTS();
}

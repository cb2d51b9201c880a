// SPDX-License-Identifier: Apache-2.0
// Claims of chapter 02, *Long polls: DelayedFetch and the purgatory*: a
// Fetch that finds too few bytes is parked, not answered; it is answered
// at max.wait.ms if nothing arrives, and at once when a Produce brings
// min.bytes. Time is a MockClock: the numbers are exact.
#include "lab02_fixture.h"

namespace gregor::lab02 {
namespace {

using testing::MakeBatch;

// The experiments run on ApisLab (lab02_fixture.h); the suite name
// carries the lab id.
class LongPollLab02 : public ApisLab {};

// Claim: an empty Fetch waits exactly max.wait.ms, then answers with no
// records.
TEST_F(LongPollLab02, EmptyFetchReturnsAtMaxWait) {
  StartFetch(/*max_wait_ms=*/500, /*min_bytes=*/1);
  EXPECT_EQ(purgatory_.Delayed(), 1u);
  Advance(499);
  EXPECT_FALSE(response_) << "answered before max.wait.ms";
  Advance(1);
  ASSERT_TRUE(response_);
  EXPECT_EQ(responded_at_, start_ + 500);
  EXPECT_EQ(ResponseRecordBytes(), 0u);
  EXPECT_EQ(purgatory_.Delayed(), 0u);
  Banner("empty fetch, max.wait.ms=500: parked, answered at +%lld ms with %zu B of records",
         (long long)(responded_at_ - start_), ResponseRecordBytes());
}

// Claim: data arriving while the Fetch waits completes it at once: the
// Produce's append checks the partition's watchers (checkAndComplete).
TEST_F(LongPollLab02, ProduceCompletesTheWaitingFetchEarly) {
  StartFetch(/*max_wait_ms=*/10'000, /*min_bytes=*/1);
  Advance(120);
  ASSERT_FALSE(response_);
  Bytes batch = MakeBatch(3, 1000, "v");
  Produce(batch);
  ASSERT_TRUE(response_) << "the produce did not complete the parked fetch";
  EXPECT_EQ(responded_at_, start_ + 120);
  EXPECT_EQ(ResponseRecordBytes(), batch.size());
  // The expiry task was cancelled: nothing is left in the wheel.
  EXPECT_EQ(timer_.size(), 0u);
  Banner("fetch max.wait.ms=10000 answered at +%lld ms, the moment a %zu B batch was produced",
         (long long)(responded_at_ - start_), batch.size());
}

// Claim: min.bytes counts across appends: a batch smaller than min.bytes
// leaves the Fetch parked; the next one completes it.
TEST_F(LongPollLab02, MinBytesHoldsTheFetchUntilEnoughArrives) {
  Bytes batch = MakeBatch(3, 1000, "v");
  StartFetch(/*max_wait_ms=*/10'000, /*min_bytes=*/int32_t(batch.size()) + 1);
  Advance(50);
  Produce(batch);
  EXPECT_FALSE(response_) << "answered with fewer than min.bytes";
  Advance(50);
  Produce(MakeBatch(2, 2000, "w"));
  ASSERT_TRUE(response_);
  EXPECT_EQ(responded_at_, start_ + 100);
  EXPECT_GT(ResponseRecordBytes(), batch.size());
  Banner("min.bytes=%zu: first %zu B batch left it parked, second answered at +%lld ms with %zu B",
         batch.size() + 1, batch.size(), (long long)(responded_at_ - start_),
         ResponseRecordBytes());
}

}  // namespace
}  // namespace gregor::lab02

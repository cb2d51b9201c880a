// SPDX-License-Identifier: Apache-2.0
#include "server/delayed_operation.h"

namespace gregor {

// [delayed-operation-force-complete]
bool DelayedOperation::ForceComplete() {
  bool expected = false;
  if (!completed_.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
    return false;  // someone else completed it
  }
  Cancel();  // out of the timer: a completed operation must not expire
  OnComplete();
  return true;
}
// [delayed-operation-force-complete]

// [delayed-operation-run]
bool DelayedOperation::SafeTryComplete() {
  std::lock_guard lock(mu_);
  if (IsCompleted()) return false;
  return TryComplete();
}

void DelayedOperation::Run() {
  if (ForceComplete()) OnExpiration();
}
// [delayed-operation-run]

}  // namespace gregor

// The InputError a call throws, for tests that check its file, line and message. A call that
// throws none fails the test (and an empty InputError is returned so the test can go on).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "helix/util/error.hpp"

namespace helix::test {

template <typename Fn>
InputError input_error_of(Fn&& fn, const std::string& what = "the call") {
  try {
    fn();
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError for " << what;
  return InputError("");
}

}  // namespace helix::test

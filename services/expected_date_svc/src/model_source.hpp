// The model the service predicts with, reloaded when its file changes (a ConfigMap or image
// update) without a restart. A missing or broken file leaves the last good model in place, or
// none: then the documented fallback rule answers, and status() says so.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "model/predictor.hpp"

namespace tim::expected_date {

class ModelSource {
 public:
  // An empty path means no model file: the fallback rule answers.
  explicit ModelSource(std::filesystem::path file,
                       std::chrono::milliseconds check_every = std::chrono::seconds{1});

  // The model to use now (nullptr: use the fallback rule). Looks at the file at most once per
  // check interval: a stat, and a read of a few kilobytes when it changed.
  std::shared_ptr<const ModelParams> current();
  // The model with its version: a hash of the file's bytes ("fallback" when the rule
  // answers), so that a caller caching predictions sees a new model as a new key.
  struct Versioned {
    std::shared_ptr<const ModelParams> model;
    std::string version;
  };
  Versioned current_versioned();
  // For /readyz and logs: which model answers, or why the fallback rule does.
  std::string status();

 private:
  void reload_if_changed();

  std::filesystem::path file_;
  std::chrono::milliseconds check_every_;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point next_check_{};
  std::filesystem::file_time_type loaded_mtime_{};
  std::uintmax_t loaded_size_ = 0;
  std::shared_ptr<const ModelParams> model_;
  std::string version_ = "fallback";
  std::string status_;
};

}  // namespace tim::expected_date

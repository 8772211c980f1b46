#include "model_source.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>

#include "model/model_file.hpp"
#include "tim/log.hpp"

namespace tim::expected_date {

namespace {
// FNV-1a 64 of the file's bytes, as hex: equal files, equal versions, on every replica.
std::string content_version(std::string_view bytes) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char b : bytes) h = (h ^ b) * 1099511628211ull;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}
}  // namespace

ModelSource::ModelSource(std::filesystem::path file, std::chrono::milliseconds check_every)
    : file_(std::move(file)), check_every_(check_every) {
  std::lock_guard lock(mutex_);
  if (file_.empty())
    status_ = "fallback rule: MODEL_FILE is not set";
  else
    reload_if_changed();
}

std::shared_ptr<const ModelParams> ModelSource::current() {
  std::lock_guard lock(mutex_);
  if (!file_.empty() && std::chrono::steady_clock::now() >= next_check_) reload_if_changed();
  return model_;
}

ModelSource::Versioned ModelSource::current_versioned() {
  std::lock_guard lock(mutex_);
  if (!file_.empty() && std::chrono::steady_clock::now() >= next_check_) reload_if_changed();
  return {model_, version_};
}

std::string ModelSource::status() {
  std::lock_guard lock(mutex_);
  return status_;
}

void ModelSource::reload_if_changed() {
  next_check_ = std::chrono::steady_clock::now() + check_every_;
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(file_, ec);
  const auto size = ec ? 0 : std::filesystem::file_size(file_, ec);
  if (ec) {
    const auto why = "cannot read " + file_.string() + ": " + ec.message();
    if (status_.find(why) == std::string::npos) {
      log::warn(model_ ? "model file unreadable; keeping the loaded model"
                       : "no model; using the fallback rule",
                {{"reason", std::string_view(why)}});
      status_ = model_ ? "model loaded earlier (" + why + ")" : "fallback rule: " + why;
    }
    return;
  }
  if (model_ && mtime == loaded_mtime_ && size == loaded_size_) return;
  loaded_mtime_ = mtime;
  loaded_size_ = size;
  try {
    std::ifstream in(file_, std::ios::binary);
    if (!in) throw ModelFileError("model file: cannot open " + file_.string());
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    ModelParams params;
    try {
      params = model_from_json(text);
    } catch (const ModelFileError& e) {
      throw ModelFileError(file_.string() + ": " + e.what());
    }
    model_ = std::make_shared<const ModelParams>(std::move(params));
    version_ = content_version(text);
    status_ = "model " + file_.string() + " trained until " +
              (model_->training.trained_until.empty() ? model_->training.last_invoice_date
                                                      : model_->training.trained_until);
    log::info("model loaded", {{"file", std::string_view(file_.string())},
                               {"invoices", model_->training.invoices}});
  } catch (const std::exception& e) {
    log::warn(model_ ? "model file broken; keeping the loaded model"
                     : "model file broken; using the fallback rule",
              {{"file", std::string_view(file_.string())}, {"error", std::string_view(e.what())}});
    status_ = (model_ ? "model loaded earlier (new file broken: "
                      : "fallback rule (model file broken: ") +
              std::string(e.what()) + ")";
  }
}

}  // namespace tim::expected_date

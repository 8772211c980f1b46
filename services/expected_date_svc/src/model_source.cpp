#include "model_source.hpp"

#include "model/model_file.hpp"
#include "tim/log.hpp"

namespace tim::expected_date {

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
    model_ = std::make_shared<const ModelParams>(load_model_file(file_));
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

// The model file: JSON with a format_version, parameters and training metadata.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "model/predictor.hpp"

namespace tim::expected_date {

struct ModelFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string model_to_json(const ModelParams& model);
// Validates everything predict() relies on; throws ModelFileError saying what is wrong.
ModelParams model_from_json(std::string_view text);

ModelParams load_model_file(const std::filesystem::path& file);
// Writes to a temporary file in the same directory, then renames (a watcher never sees half).
void save_model_file(const std::filesystem::path& file, const ModelParams& model);

}  // namespace tim::expected_date

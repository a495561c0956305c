#pragma once
// safetensors files: a memory-mapped reader (header checked by
// parse_safetensors_header) and an atomic writer.
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "clinrl/model/safetensors_header.h"

namespace clinrl::model {

class SafetensorsFile {
 public:
  // Maps the file and checks its header; UserError naming the file (and tensor).
  static SafetensorsFile open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  const StHeader& header() const { return header_; }
  std::vector<std::string> names() const;
  bool contains(const std::string& name) const;
  const StTensorInfo& info(const std::string& name) const;  // UserError when absent
  // A CPU tensor holding a copy of the stored data, in the stored dtype.
  torch::Tensor tensor(const std::string& name) const;
  // Copies the stored values straight into `target` (same shape, any dtype and
  // device: converted on the way, no full-size temporary when target is a CPU
  // tensor), then lets the kernel drop the file pages it read, so loading a
  // checkpoint does not keep a second copy of it resident. UserError when the
  // shapes differ.
  void read_into(const std::string& name, torch::Tensor& target) const;

 private:
  struct Mapping;
  std::filesystem::path path_;
  std::shared_ptr<Mapping> mapping_;
  StHeader header_;
  std::map<std::string, size_t> index_;
};

torch::ScalarType to_scalar_type(StDtype dtype);
StDtype to_st_dtype(torch::ScalarType type);  // UserError when safetensors has no such dtype

// A checkpoint's weights: one .safetensors file, or the shards that a
// model.safetensors.index.json ({"weight_map": {name: file}}) lists, each
// mapped (nothing is read until a tensor is asked for).
class SafetensorsCheckpoint {
 public:
  // UserError naming the index or file when a shard is missing or unreadable
  // or a listed tensor is absent from its shard.
  static SafetensorsCheckpoint open(const std::filesystem::path& path);

  const std::string& source() const { return source_; }
  std::vector<std::string> names() const;  // sorted
  bool contains(const std::string& name) const { return where_.count(name) > 0; }
  const StTensorInfo& info(const std::string& name) const;
  const SafetensorsFile& file(const std::string& name) const;  // the file holding it
  torch::Tensor tensor(const std::string& name) const { return file(name).tensor(name); }
  void read_into(const std::string& name, torch::Tensor& target) const { file(name).read_into(name, target); }

 private:
  std::string source_;
  std::vector<SafetensorsFile> files_;
  std::map<std::string, size_t> where_;  // name -> index into files_
};

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Writes tensors (any device; copied to CPU) atomically, header padded to 8 bytes.
void save_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// Every tensor of one file, or of a sharded checkpoint given its
// model.safetensors.index.json ({"weight_map": {name: file}}).
std::map<std::string, torch::Tensor> load_safetensors(const std::filesystem::path& path);

}  // namespace clinrl::model

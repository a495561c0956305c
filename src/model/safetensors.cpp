#include "clinrl/model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "clinrl/core/atomic_file.h"
#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"

namespace clinrl::model {

struct SafetensorsFile::Mapping {
  const uint8_t* data = nullptr;
  uint64_t size = 0;
  ~Mapping() {
    if (data && size > 0) munmap(const_cast<uint8_t*>(data), size);
  }
};

SafetensorsFile SafetensorsFile::open(const std::filesystem::path& path) {
  SafetensorsFile f;
  f.path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UserError(core::format("{}: cannot open: {}", path.string(), std::strerror(errno)));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw UserError(core::format("{}: not a regular file", path.string()));
  }
  f.mapping_ = std::make_shared<Mapping>();
  f.mapping_->size = static_cast<uint64_t>(st.st_size);
  if (st.st_size > 0) {
    void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      throw UserError(core::format("{}: cannot map: {}", path.string(), std::strerror(errno)));
    }
    f.mapping_->data = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
  static const uint8_t empty[8] = {};
  const uint8_t* bytes = f.mapping_->data ? f.mapping_->data : empty;
  f.header_ = parse_safetensors_header(bytes, f.mapping_->size, f.mapping_->size, path.string());
  for (size_t i = 0; i < f.header_.tensors.size(); ++i) f.index_[f.header_.tensors[i].name] = i;
  return f;
}

std::vector<std::string> SafetensorsFile::names() const {
  std::vector<std::string> out;
  for (const auto& t : header_.tensors) out.push_back(t.name);
  return out;
}

bool SafetensorsFile::contains(const std::string& name) const { return index_.count(name) > 0; }

const StTensorInfo& SafetensorsFile::info(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw UserError(core::format("{}: no tensor '{}'", path_.string(), name));
  return header_.tensors[it->second];
}

torch::Tensor SafetensorsFile::tensor(const std::string& name) const {
  const auto& t = info(name);
  auto out = torch::empty(t.shape, torch::TensorOptions().dtype(to_scalar_type(t.dtype)));
  size_t bytes = t.end - t.begin;  // checked against shape, dtype and file size by the parser
  if (bytes > 0) std::memcpy(out.data_ptr(), mapping_->data + header_.data_start + t.begin, bytes);
  return out;
}

void SafetensorsFile::read_into(const std::string& name, torch::Tensor& target) const {
  const auto& t = info(name);
  if (target.sizes() != c10::IntArrayRef(t.shape))
    throw UserError(core::format("{}: tensor '{}' has shape {} but the target needs {}", path_.string(), name,
                                 c10::IntArrayRef(t.shape), target.sizes()));
  const size_t bytes = t.end - t.begin;
  if (bytes == 0) return;
  const uint8_t* data = mapping_->data + header_.data_start + t.begin;
  const auto type = to_scalar_type(t.dtype);
  torch::NoGradGuard no_grad;
  if (reinterpret_cast<uintptr_t>(data) % dtype_size(t.dtype) == 0) {
    // A view of the mapping: copy_ converts dtype and moves device in one pass.
    // The mapping is read-only; copy_ only reads its source.
    auto view = torch::from_blob(const_cast<uint8_t*>(data), t.shape, torch::TensorOptions().dtype(type));
    target.copy_(view);
  } else {
    target.copy_(tensor(name));  // misaligned offsets: through an aligned copy
  }
  // The pages are clean file pages of a private read-only mapping: dropping
  // them only means a later read faults them in again.
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t begin = (reinterpret_cast<uintptr_t>(data) / page) * page;
  uintptr_t end = reinterpret_cast<uintptr_t>(data) + bytes;
  madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

torch::ScalarType to_scalar_type(StDtype d) {
  switch (d) {
    case StDtype::F64: return torch::kFloat64;
    case StDtype::F32: return torch::kFloat32;
    case StDtype::F16: return torch::kFloat16;
    case StDtype::BF16: return torch::kBFloat16;
    case StDtype::I64: return torch::kInt64;
    case StDtype::I32: return torch::kInt32;
    case StDtype::I16: return torch::kInt16;
    case StDtype::I8: return torch::kInt8;
    case StDtype::U8: return torch::kUInt8;
    case StDtype::BOOL: return torch::kBool;
  }
  return torch::kFloat32;
}

StDtype to_st_dtype(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat64: return StDtype::F64;
    case torch::kFloat32: return StDtype::F32;
    case torch::kFloat16: return StDtype::F16;
    case torch::kBFloat16: return StDtype::BF16;
    case torch::kInt64: return StDtype::I64;
    case torch::kInt32: return StDtype::I32;
    case torch::kInt16: return StDtype::I16;
    case torch::kInt8: return StDtype::I8;
    case torch::kUInt8: return StDtype::U8;
    case torch::kBool: return StDtype::BOOL;
    default: throw UserError(core::format("safetensors cannot store dtype {}", c10::toString(t)));
  }
}

void save_safetensors(const std::filesystem::path& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> cpu;
  std::set<std::string> seen;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (name == "__metadata__" || !seen.insert(name).second)
      throw std::invalid_argument(core::format("save_safetensors: duplicate or reserved tensor name '{}'", name));
    auto c = t.detach().to(torch::kCPU).contiguous();
    uint64_t bytes = static_cast<uint64_t>(c.numel()) * c.element_size();
    header[name] = {{"dtype", dtype_name(to_st_dtype(c.scalar_type()))},
                    {"shape", c.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    cpu.push_back(c);
  }
  std::string text = header.dump();
  while ((8 + text.size()) % 8 != 0) text.push_back(' ');
  uint8_t len[8];
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(n >> (8 * i));
  core::AtomicFileWriter out(path);
  out.write(len, 8);
  out.write(text);
  for (const auto& c : cpu)
    if (c.numel() > 0) out.write(c.data_ptr(), static_cast<size_t>(c.numel()) * c.element_size());
  out.commit();
}

SafetensorsCheckpoint SafetensorsCheckpoint::open(const std::filesystem::path& path) {
  SafetensorsCheckpoint c;
  c.source_ = path.string();
  const auto filename = path.filename().string();
  if (!(filename.size() >= 5 && core::ends_with(filename, ".json"))) {
    c.files_.push_back(SafetensorsFile::open(path));
    for (const auto& name : c.files_.back().names()) c.where_[name] = 0;
    return c;
  }
  auto index = core::read_json_file(path);
  auto wm = index.find("weight_map");
  if (wm == index.end() || !wm->is_object())
    throw UserError(core::format("{}: missing object 'weight_map'", path.string()));
  std::map<std::string, std::vector<std::string>> by_file;
  for (auto it = wm->begin(); it != wm->end(); ++it) {
    if (!it.value().is_string()) throw UserError(core::format("{}: weight_map '{}' must name a file", path.string(), it.key()));
    auto file = it.value().get<std::string>();
    if (file.find('/') != std::string::npos || file.find("..") != std::string::npos)
      throw UserError(core::format("{}: weight_map '{}' names '{}', expected a file in the same directory",
                                   path.string(), it.key(), file));
    by_file[file].push_back(it.key());
  }
  for (const auto& [file, names] : by_file) {
    c.files_.push_back(SafetensorsFile::open(path.parent_path() / file));
    const auto& f = c.files_.back();
    for (const auto& name : names) {
      if (!f.contains(name))
        throw UserError(core::format("{}: tensor '{}' listed in {} is missing", f.path().string(), name, path.string()));
      c.where_[name] = c.files_.size() - 1;
    }
  }
  return c;
}

std::vector<std::string> SafetensorsCheckpoint::names() const {
  std::vector<std::string> out;
  for (const auto& [name, file] : where_) out.push_back(name);
  return out;
}

const SafetensorsFile& SafetensorsCheckpoint::file(const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end()) throw UserError(core::format("{}: no tensor '{}'", source_, name));
  return files_[it->second];
}

const StTensorInfo& SafetensorsCheckpoint::info(const std::string& name) const { return file(name).info(name); }

std::map<std::string, torch::Tensor> load_safetensors(const std::filesystem::path& path) {
  auto checkpoint = SafetensorsCheckpoint::open(path);
  std::map<std::string, torch::Tensor> out;
  for (const auto& name : checkpoint.names()) out[name] = checkpoint.tensor(name);
  return out;
}

}  // namespace clinrl::model

// Helpers shared by tests: fixture paths and reading (gzip) JSON lines.
#pragma once

#include <zlib.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace pgsift::testing {

inline std::string Fixture(const std::string& rel) { return std::string(PGSIFT_FIXTURES) + "/" + rel; }

// A whole file's bytes ("" when it cannot be read).
inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Reads a .jsonl or .jsonl.gz file (zlib reads both).
inline std::vector<nlohmann::json> ReadJsonLines(const std::string& path) {
  std::vector<nlohmann::json> out;
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return out;
  std::string data;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) data.append(buf, static_cast<size_t>(n));
  gzclose(f);
  size_t pos = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string::npos) nl = data.size();
    if (nl > pos) out.push_back(nlohmann::json::parse(data.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  return out;
}

}  // namespace pgsift::testing

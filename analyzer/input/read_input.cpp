// A small input read whole (see input.h).
#include <string>

#include "pgsift/input.h"

namespace pgsift {

Result<std::string> ReadInput(const std::string& path) {
  auto source = OpenInput(path);
  if (!source.ok()) return Err(path + ": " + source.error());
  std::string data;
  char buf[1 << 16];
  while (true) {
    auto n = (*source)->Read(buf, sizeof buf);
    if (!n.ok()) return Err(path + ": " + n.error());
    if (*n == 0) break;
    data.append(buf, *n);
  }
  return data;
}

}  // namespace pgsift

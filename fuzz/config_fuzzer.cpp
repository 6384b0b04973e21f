// libFuzzer harness: the configuration loader (YAML, schema, validation), on its own and with
// --set overrides. Input: [mode] then text; mode bit 0 reads the text as --set lines instead.

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "config/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace rv::config;
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 1) == 0) {
    (void)load_yaml_text(text);
    return 0;
  }
  LoadRequest req;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) req.sets.push_back(line);
  (void)load_config(req);
  return 0;
}

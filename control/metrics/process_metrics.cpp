#include "control/metrics/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace rv::control {
namespace {

// Fields of /proc/self/stat after the command name (which may hold spaces): field 3 first.
std::vector<std::string> stat_fields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  const auto close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(line.substr(close + 2));
  std::vector<std::string> out;
  for (std::string f; rest >> f;) out.push_back(f);
  return out;
}

double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double v = 0;
      in >> v;
      return v;
    }
    in.ignore(1 << 16, '\n');
  }
  return 0;
}

void collect(MetricsWriter& w, double boot) {
  const auto f = stat_fields();
  const double tick = double(::sysconf(_SC_CLK_TCK));
  const double page = double(::sysconf(_SC_PAGESIZE));
  // After ")": state(3) ... utime(14) stime(15) ... starttime(22) vsize(23) rss(24).
  if (f.size() > 21 && tick > 0) {
    w.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds", {},
              (std::stod(f[11]) + std::stod(f[12])) / tick);
    if (boot > 0) {
      w.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds",
              {}, boot + std::stod(f[19]) / tick);
    }
    w.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes", {}, std::stod(f[20]));
    w.gauge("process_resident_memory_bytes", "Resident memory size in bytes", {}, std::stod(f[21]) * page);
  }
  std::error_code ec;
  double fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  if (!ec) w.gauge("process_open_fds", "Number of open file descriptors", {}, fds);
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    w.gauge("process_max_fds", "Maximum number of open file descriptors", {}, double(lim.rlim_cur));
  }
}

}  // namespace

void register_process_metrics(MetricsRegistry& registry) {
  const double boot = boot_time_seconds();
  registry.add([boot](MetricsWriter& w) { collect(w, boot); });
}

}  // namespace rv::control

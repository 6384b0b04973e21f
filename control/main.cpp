// rvoipd: parse the command line, run the appliance, exit with its code.

#include <variant>

#include "control/lifecycle/app.hpp"
#include "control/cli.hpp"

int main(int argc, char** argv) {
  auto cli = rv::control::parse_cli(argc, argv);
  if (const int* code = std::get_if<int>(&cli)) return *code;
  return rv::control::run_app(std::get<rv::control::CliOptions>(cli));
}

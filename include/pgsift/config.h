// .pgsift.toml: project settings shared by the subcommands. The loader is
// general: top-level tables it does not know are left for other commands
// (no error). Inside the tables it reads, unknown keys and unknown rule ids
// are errors naming file:line.
//
//   [lint]
//   pg_version = 15                # target server major version
//   assume_in_transaction = false  # the migration tool wraps each file
//   fail_on = "error"              # info | warning | error | none
//   paths = ["db/migrations"]      # linted when no path is given
//
//   [rules]
//   enable = ["migration-prefer-robust-stmts"]   # only these (plus [rules.<id>] enabled = true)
//   disable = ["ban-char-field"]                 # ids or aliases
//
//   [rules.migration-prefer-text-field]
//   severity = "error"
//   enabled = true
//   some_option = 3                # any other key: a rule option
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/finding.h"
#include "pgsift/result.h"
#include "pgsift/rule.h"

namespace pgsift {

struct RuleConfig {
  std::optional<bool> enabled;
  std::optional<Severity> severity;
  RuleOptions options;
};

struct LintConfig {
  std::optional<int> pg_version;
  std::optional<bool> assume_in_transaction;
  std::optional<std::string> fail_on;  // validated: info|warning|error|none
  std::vector<std::string> paths;      // relative to the config file's directory
};

struct Config {
  std::string path;  // empty: no file was read
  LintConfig lint;
  std::vector<std::string> enable, disable;  // canonical rule ids
  std::map<std::string, RuleConfig> rules;   // canonical rule id → settings
};

Result<Config> ParseConfig(std::string_view text, const std::string& path);
Result<Config> LoadConfig(const std::string& path);

}  // namespace pgsift

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
//   enable = ["migration-prefer-robust-stmts"]   # of its categories, only these (plus [rules.<id>] enabled = true)
//   disable = ["ban-char-field"]                 # ids or aliases
//
//   [rules.migration-prefer-text-field]
//   severity = "error"
//   enabled = true
//   some_option = 3                # any other key: a rule option
//
// RuleSelection: which rules a command runs and how, from this file and the
// command line, resolved the same way for every command that runs rules
// (analyze, report, indexes, lint, check). Implemented in
// analyzer/engine/rule_selection.cpp.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
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
// `path`, else ./.pgsift.toml when it exists, else an empty Config (no file).
Result<Config> LoadProjectConfig(const std::string& path);

// Per rule, in this order: [rules] enable (when given) narrows the
// categories it names (a list of migration rules for lint leaves check's
// plan rules and analyze's workload rules as they are), [rules]
// disable, [rules.<id>] enabled, the command line's enable, then its
// disable. Options: the rule's [rules.<id>] keys, the command line's values
// over them. A configured severity replaces the rule's own on its findings
// (a finding the rule lowered, e.g. for weak evidence, stays lower).
struct RuleSelection {
  Config config;                                                   // empty: no file read
  std::set<std::string> enable, disable;                           // canonical ids, from the command line
  std::map<std::string, std::map<std::string, std::string>> sets;  // canonical id -> key -> value (command line)
  // As the commands always checked: lint reads the options of the rules it
  // runs only; the others check every rule's options.
  bool configure_disabled = true;
  // indexes names the settings file in an option error ("FILE: rule: ...").
  bool config_path_in_errors = false;
};

// The command line's rule flags as given (ids or aliases).
struct RuleFlags {
  std::vector<std::string> sets;  // RULE.KEY=VALUE
  std::vector<std::string> enable, disable;
  // "--disable X: unknown rule" (analyze, report); false: "unknown rule X" (lint)
  bool flag_in_errors = true;
};

// Resolves names and aliases into `selection`; an error names the bad flag.
Status AddRuleFlags(const RuleFlags& flags, RuleSelection* selection);

// What the selection says of one rule.
struct RuleChoice {
  bool enabled = true;
  RuleOptions options;
  std::optional<Severity> severity;  // configured
};
RuleChoice ChooseRule(const std::string& id, const RuleSelection& selection);

// A rule's Configure() error as the selection reports it.
std::string RuleOptionError(const std::string& id, const std::string& error, const RuleSelection& selection);

struct SeverityOverride {
  Severity rule, configured;  // the rule's own, the one configured
};

template <class R>
struct SelectedRules {
  std::vector<R*> active;                              // configured and enabled, in registry order
  std::vector<RuleInfo> infos;                         // of `active`, with the configured severity
  std::map<std::string, SeverityOverride> severities;  // by rule id, every rule given one
};

// Configures `rules` (one category's, from its Make*Rules()) as `selection`
// says; an error names the rule and the option it rejected.
template <class R>
Result<SelectedRules<R>> SelectRules(const std::vector<std::unique_ptr<R>>& rules, const RuleSelection& selection) {
  SelectedRules<R> out;
  for (const auto& rule : rules) {
    RuleInfo info = rule->Info();
    RuleChoice choice = ChooseRule(info.id, selection);
    if (!choice.enabled && !selection.configure_disabled) continue;
    Status configured = rule->Configure(choice.options);
    if (!configured.ok()) return Err(RuleOptionError(info.id, configured.error(), selection));
    if (choice.severity) {
      out.severities[info.id] = {info.severity, *choice.severity};
      info.severity = *choice.severity;
    }
    if (!choice.enabled) continue;
    out.active.push_back(rule.get());
    out.infos.push_back(std::move(info));
  }
  return out;
}

// Applies configured severities to the findings of the rules (order kept).
void ApplySeverities(const std::map<std::string, SeverityOverride>& severities, std::vector<Finding>* findings);

}  // namespace pgsift

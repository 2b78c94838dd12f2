// Rules: one class per rule, registered once in rules/registry.cpp. A rule
// reads data (a migration statement, a workload, a snapshot) and reports
// findings; it does no I/O. Category headers (migration.h, sessions.h, ...)
// derive the interface each category's runner calls.
//
// Ids are stable kebab-case with the category as prefix
// ("migration-require-concurrent-index"); never rename one, add an alias.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pgsift/finding.h"
#include "pgsift/result.h"

namespace pgsift {

// What a rule reads; decides how its fixtures are run (see RunRuleOnFixture).
enum class RuleInput : uint8_t {
  kMigration,  // migration SQL files; fixtures are .sql files
  kWorkload,   // server logs through `analyze`; fixtures are log files
  kPgss,       // pg_stat_statements snapshots/exports
  kDatabase,   // a live database (schema, stats); fixtures are .sql setups
  kSchema,     // logs against a schema (files or live): the index advisor;
               // fixtures are logs with a schema.sql beside them, or .sql schemas
  kPlan,       // a baseline query's plan before and after migrations (`check`);
               // fixtures are directories of baseline captures
};

struct RuleInfo {
  std::string id;
  std::vector<std::string> aliases;  // e.g. squawk's names
  std::string summary;               // one line
  Severity severity = Severity::kWarning;
  RuleInput input = RuleInput::kWorkload;
  std::string doc;  // path from the repo root: rules/<category>/<name>.md
};

// Options from .pgsift.toml ([rules.<id>] tables) or the command line, as
// text; rules parse what they need and reject what they do not understand.
class RuleOptions {
 public:
  void Set(std::string key, std::string value) { values_[std::move(key)] = std::move(value); }
  bool Has(std::string_view key) const { return values_.find(std::string(key)) != values_.end(); }
  Result<double> GetDouble(std::string_view key, double fallback) const;
  Result<int64_t> GetInt(std::string_view key, int64_t fallback) const;
  Result<bool> GetBool(std::string_view key, bool fallback) const;
  std::string GetString(std::string_view key, std::string fallback) const;
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleInfo& Info() const = 0;
  // Called once before any check; an error names the bad option.
  virtual Status Configure(const RuleOptions& /*options*/) { return Ok{}; }
};

using RuleFactory = std::unique_ptr<Rule> (*)();

// Every rule, in registration order (rules/registry.cpp).
const std::vector<RuleFactory>& RuleRegistry();
std::vector<std::unique_ptr<Rule>> MakeAllRules();
// By id or alias; nullptr if unknown.
std::unique_ptr<Rule> MakeRule(std::string_view id_or_alias);

// Runs one rule alone on one fixture input (fixtures/rules/<id>/ok_* or
// err_*): a migration file for kMigration rules, a log for kWorkload rules,
// and so on. Each category provides its runner in analyzer/engine/.
Result<std::vector<Finding>> RunRuleOnFixture(Rule& rule, const std::string& path);

}  // namespace pgsift

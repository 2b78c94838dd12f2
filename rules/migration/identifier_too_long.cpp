// migration-identifier-too-long: Identifiers longer than 63 bytes are silently truncated.
#include <set>
#include "migration/util.h"

namespace pgsift::migration {

namespace {

void LongNames(const Json& node, std::set<std::string>* out) {
  static const std::set<std::string> kKeys = {"relname", "idxname", "conname", "colname", "newname", "indexname"};
  if (node.is_array()) {
    for (const Json& n : node) LongNames(n, out);
  } else if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (value.is_string() && kKeys.count(key) && value.get<std::string>().size() > 63) {
        out->insert(value.get<std::string>());
      }
      LongNames(value, out);
    }
  }
}

class IdentifierTooLong : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-identifier-too-long", {"identifier-too-long"}, "Identifiers longer than 63 bytes are silently truncated", Severity::kError, RuleInput::kMigration,
                                "rules/migration/identifier_too_long.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      std::set<std::string> names;
      LongNames(st.tree, &names);
      for (const std::string& name : names) {
        sink.Report(At(st, "identifier " + name + " is " + std::to_string(name.size()) +
                               " bytes; PostgreSQL truncates it to 63",
                       "use a name of at most 63 bytes"));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(IdentifierTooLong)

}  // namespace pgsift::migration

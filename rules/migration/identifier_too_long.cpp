// migration-identifier-too-long: Identifiers longer than 63 bytes are silently truncated.
#include <cctype>
#include <set>
#include <string_view>

#include "migration/util.h"

namespace pgsift::migration {

namespace {

// The parser truncates long identifiers (with only a NOTICE), so the tree
// holds the short name: look at the words of the statement text instead.
void LongNames(std::string_view text, std::set<std::string>* out) {
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {
      i = text.find('\n', i);
      if (i == std::string_view::npos) return;
    } else if (c == '\'' || c == '$') {
      size_t close = std::string_view::npos;
      if (c == '\'') {
        close = text.find('\'', i + 1);
        while (close != std::string_view::npos && close + 1 < text.size() && text[close + 1] == '\'') {
          close = text.find('\'', close + 2);
        }
        i = close == std::string_view::npos ? text.size() : close + 1;
      } else {
        size_t tag_end = text.find('$', i + 1);
        std::string_view tag = tag_end == std::string_view::npos ? "" : text.substr(i, tag_end - i + 1);
        close = tag.empty() ? std::string_view::npos : text.find(tag, tag_end + 1);
        i = close == std::string_view::npos ? i + 1 : close + tag.size();
      }
    } else if (c == '"') {
      size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos) return;
      if (close - i - 1 > 63) out->insert(std::string(text.substr(i + 1, close - i - 1)));
      i = close + 1;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80) {
      size_t j = i;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_' ||
                                 text[j] == '$' || static_cast<unsigned char>(text[j]) >= 0x80)) {
        ++j;
      }
      if (j - i > 63) out->insert(std::string(text.substr(i, j - i)));
      i = j;
    } else {
      ++i;
    }
  }
}

class IdentifierTooLong : public MigrationRule {
 public:
  const RuleInfo& Info() const override {
    static const RuleInfo kInfo{"migration-identifier-too-long",
                                {"identifier-too-long"},
                                "Identifiers longer than 63 bytes are silently truncated",
                                Severity::kError,
                                RuleInput::kMigration,
                                "rules/migration/identifier_too_long.md"};
    return kInfo;
  }
  void Check(const MigrationFile& file, FindingSink& sink) const override {
    for (const MigrationStatement& st : file.statements) {
      std::set<std::string> names;
      LongNames(st.text, &names);
      for (const std::string& name : names) {
        sink.Report(At(
            st, "identifier " + name + " is " + std::to_string(name.size()) + " bytes; PostgreSQL truncates it to 63",
            "use a name of at most 63 bytes"));
      }
    }
  }
};

}  // namespace

PGSIFT_MIGRATION_RULE(IdentifierTooLong)

}  // namespace pgsift::migration

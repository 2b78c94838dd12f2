// Journeys: the [journeys] table of .pgsift.toml (toml++) and the tracker.
#include "pgsift/journeys.h"

#include <toml++/toml.h>

#include <algorithm>

#include "pgsift/sqlcommenter.h"

namespace pgsift {
namespace {

std::string Where(const std::string& file, const toml::source_region& src) {
  return file + ":" + std::to_string(src.begin.line);
}

Result<std::vector<std::string>> Strings(const toml::node& node, const std::string& where, const std::string& key) {
  std::vector<std::string> out;
  if (auto s = node.value<std::string>()) {
    out.push_back(*s);
  } else if (const toml::array* a = node.as_array()) {
    for (const toml::node& item : *a) {
      auto s = item.value<std::string>();
      if (!s) return Err(where + ": " + key + ": expected strings");
      out.push_back(*s);
    }
  } else {
    return Err(where + ": " + key + ": expected a string or a list of strings");
  }
  return out;
}

}  // namespace

Result<std::vector<JourneySpec>> ParseJourneys(std::string_view text, const std::string& name) {
  toml::table root;
  try {
    root = toml::parse(text, name);  // toml++ reports syntax errors by exception
  } catch (const toml::parse_error& e) {
    return Err(Where(name, e.source()) + ": " + std::string(e.description()));
  }
  std::vector<JourneySpec> out;
  const toml::node* journeys = root.get("journeys");
  if (journeys == nullptr) return out;
  const toml::table* table = journeys->as_table();
  if (table == nullptr) return Err(Where(name, journeys->source()) + ": journeys: expected a table");
  for (const auto& [key, node] : *table) {
    std::string jname(key.str());
    std::string where = Where(name, node.source());
    const toml::table* t = node.as_table();
    if (t == nullptr) return Err(where + ": journeys." + jname + ": expected a table");
    JourneySpec spec;
    spec.name = jname;
    for (const auto& [k, v] : *t) {
      std::string field(k.str());
      std::string at = Where(name, v.source());
      std::string full = "journeys." + jname + "." + field;
      if (field == "application_name") {
        auto apps = Strings(v, at, full);
        if (!apps.ok()) return Err(apps.error());
        spec.applications = *apps;
      } else if (field == "tag") {
        auto tags = Strings(v, at, full);
        if (!tags.ok()) return Err(tags.error());
        for (const std::string& tag : *tags) {
          size_t eq = tag.find('=');
          if (eq == std::string::npos || eq == 0) return Err(at + ": " + full + ": expected key=value");
          spec.tags.emplace_back(tag.substr(0, eq), tag.substr(eq + 1));
        }
      } else if (field == "p95_ms") {
        auto ms = v.value<double>();
        if (!ms || *ms <= 0) return Err(at + ": " + full + ": expected a positive number of milliseconds");
        spec.target_ms = *ms;
      } else if (field == "objective") {
        auto o = v.value<double>();
        if (!o || *o <= 0 || *o >= 1) return Err(at + ": " + full + ": expected a fraction between 0 and 1");
        spec.objective = *o;
      } else {
        return Err(at + ": " + full + ": unknown key (application_name, tag, p95_ms, objective)");
      }
    }
    if (spec.target_ms <= 0) return Err(where + ": journeys." + jname + ": p95_ms is required");
    if (spec.applications.empty() && spec.tags.empty()) {
      return Err(where + ": journeys." + jname + ": needs application_name or tag to match statements");
    }
    out.push_back(std::move(spec));
  }
  std::sort(out.begin(), out.end(), [](const JourneySpec& a, const JourneySpec& b) { return a.name < b.name; });
  return out;
}

Result<std::vector<JourneySpec>> LoadJourneys(const std::string& path) {
  std::string text;
  if (FILE* f = fopen(path.c_str(), "rb")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    fclose(f);
  } else {
    return Err(path + ": cannot read");
  }
  return ParseJourneys(text, path);
}

double JourneyResult::budget_burned() const {
  double allowed = static_cast<double>(calls) * (1 - spec.objective);
  if (allowed <= 0) return over > 0 ? 1e9 : 0;
  return static_cast<double>(over) / allowed;
}

JourneyTracker::JourneyTracker(std::vector<JourneySpec> specs)
    : specs_(std::move(specs)), results_(specs_.size()), sketches_(specs_.size()) {
  for (size_t i = 0; i < specs_.size(); ++i) results_[i].spec = specs_[i];
}

void JourneyTracker::OnStatement(const StatementRun& run) {
  if (run.duration_ms < 0) return;
  std::map<std::string, std::string> tags;
  bool tags_parsed = false;
  for (size_t i = 0; i < specs_.size(); ++i) {
    const JourneySpec& s = specs_[i];
    bool match = std::find(s.applications.begin(), s.applications.end(), run.application) != s.applications.end();
    if (!match && !s.tags.empty() && !run.comment.empty()) {
      if (!tags_parsed) {
        for (const CommentTag& tag : ParseCommentTags(run.comment)) tags[UrlDecode(tag.key)] = UrlDecode(tag.value);
        tags_parsed = true;
      }
      for (const auto& [k, v] : s.tags) {
        auto it = tags.find(k);
        if (it != tags.end() && it->second == v) match = true;
      }
    }
    if (!match) continue;
    ++results_[i].calls;
    if (run.duration_ms > s.target_ms) ++results_[i].over;
    sketches_[i].Add(run.duration_ms);
  }
}

std::vector<JourneyResult> JourneyTracker::Results() const {
  std::vector<JourneyResult> out = results_;
  for (size_t i = 0; i < out.size(); ++i) out[i].p95_ms = sketches_[i].Quantile(out[i].spec.objective);
  return out;
}

}  // namespace pgsift

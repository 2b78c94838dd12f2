// The advisor's schema as JSON (pgsift.schema.v1): a live catalog with its
// statistics, captured once with `pgsift indexes --dump-schema` and read back
// with --schema FILE.json where the database is out of reach.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "pgsift/indexes.h"

namespace pgsift {

namespace {

using Json = nlohmann::ordered_json;

// A statistic: an integer (a float, even in range, is refused: converting an
// out-of-range one is undefined behaviour and the writer never writes one).
int64_t Int(const nlohmann::json& v) {
  if (!v.is_number_integer()) throw std::invalid_argument("a statistic is not an integer");
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    throw std::out_of_range("a statistic is out of range");
  }
  return v.get<int64_t>();
}

}  // namespace

std::string SchemaToJson(const Schema& schema) {
  Json doc;
  doc["schema"] = "pgsift.schema.v1";
  doc["source"] = schema.source;
  if (!schema.collation.empty()) doc["collation"] = schema.collation;
  if (schema.stats_seconds >= 0) doc["stats_seconds"] = schema.stats_seconds;
  Json tables = Json::array();
  for (const auto& [key, t] : schema.tables) {
    Json jt;
    jt["schema"] = t.schema;
    jt["name"] = t.name;
    jt["columns"] = t.columns;
    jt["stats"] = {{"rows", t.rows},           {"size_bytes", t.size_bytes},      {"seq_scan", t.seq_scan},
                   {"idx_scan", t.idx_scan},   {"n_tup_ins", t.n_tup_ins},        {"n_tup_upd", t.n_tup_upd},
                   {"n_tup_del", t.n_tup_del}, {"n_tup_hot_upd", t.n_tup_hot_upd}};
    Json indexes = Json::array();
    for (const SchemaIndex& i : t.indexes) {
      indexes.push_back({{"name", i.name},
                         {"columns", i.columns},
                         {"opclasses", i.opclasses},
                         {"predicate_columns", i.predicate_columns},
                         {"partial", i.partial},
                         {"unique", i.unique},
                         {"primary", i.primary},
                         {"constraint", i.constraint},
                         {"valid", i.valid},
                         {"method", i.method},
                         {"idx_scan", i.idx_scan},
                         {"size_bytes", i.size_bytes},
                         {"definition_key", i.definition_key}});
    }
    jt["indexes"] = std::move(indexes);
    Json fks = Json::array();
    for (const ForeignKey& fk : t.foreign_keys) {
      fks.push_back({{"name", fk.name}, {"columns", fk.columns}, {"references", fk.ref_table}});
    }
    jt["foreign_keys"] = std::move(fks);
    tables.push_back(std::move(jt));
  }
  doc["tables"] = std::move(tables);
  return doc.dump(2) + "\n";
}

Result<Schema> SchemaFromJson(std::string_view text, const std::string& name) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  auto format = doc.is_object() ? doc.find("schema") : doc.end();
  if (!doc.is_object() || format == doc.end() || *format != "pgsift.schema.v1") {
    return Err(name + ": not a pgsift schema JSON (pgsift.schema.v1, from pgsift indexes --dump-schema)");
  }
  try {
    Schema s;
    auto source = doc.find("source");
    s.source = source != doc.end() && source->is_string() ? source->get<std::string>() : "files";
    auto collation = doc.find("collation");
    s.collation = collation != doc.end() && collation->is_string() ? collation->get<std::string>() : "";
    auto stats_seconds = doc.find("stats_seconds");
    s.stats_seconds = stats_seconds != doc.end() ? Int(*stats_seconds) : -1;
    for (const auto& jt : doc.at("tables")) {
      SchemaTable t;
      t.schema = jt.at("schema").get<std::string>();
      t.name = jt.at("name").get<std::string>();
      t.columns = jt.at("columns").get<std::vector<std::string>>();
      const auto& st = jt.at("stats");
      t.rows = Int(st.at("rows"));
      t.size_bytes = Int(st.at("size_bytes"));
      t.seq_scan = Int(st.at("seq_scan"));
      t.idx_scan = Int(st.at("idx_scan"));
      t.n_tup_ins = Int(st.at("n_tup_ins"));
      t.n_tup_upd = Int(st.at("n_tup_upd"));
      t.n_tup_del = Int(st.at("n_tup_del"));
      auto hot = st.find("n_tup_hot_upd");
      t.n_tup_hot_upd = hot != st.end() ? Int(*hot) : -1;
      for (const auto& ji : jt.at("indexes")) {
        SchemaIndex i;
        i.name = ji.at("name").get<std::string>();
        i.columns = ji.at("columns").get<std::vector<std::string>>();
        // Dumps before opclasses were kept have none: the default ones.
        if (ji.contains("opclasses")) i.opclasses = ji.at("opclasses").get<std::vector<std::string>>();
        i.predicate_columns = ji.at("predicate_columns").get<std::vector<std::string>>();
        i.partial = ji.at("partial").get<bool>();
        i.unique = ji.at("unique").get<bool>();
        i.primary = ji.at("primary").get<bool>();
        i.constraint = ji.value("constraint", i.primary);
        i.valid = ji.at("valid").get<bool>();
        i.method = ji.at("method").get<std::string>();
        i.idx_scan = Int(ji.at("idx_scan"));
        i.size_bytes = Int(ji.at("size_bytes"));
        i.definition_key = ji.at("definition_key").get<std::string>();
        t.indexes.push_back(std::move(i));
      }
      for (const auto& jf : jt.at("foreign_keys")) {
        t.foreign_keys.push_back({jf.at("name").get<std::string>(), jf.at("columns").get<std::vector<std::string>>(),
                                  jf.at("references").get<std::string>()});
      }
      s.tables[t.QualifiedName()] = std::move(t);
    }
    return s;
  } catch (const std::exception& e) {
    return Err(name + ": " + e.what());
  }
}

}  // namespace pgsift

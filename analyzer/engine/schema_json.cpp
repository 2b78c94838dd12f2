// The advisor's schema as JSON (pgsift.schema.v1): a live catalog with its
// statistics, captured once with `pgsift indexes --dump-schema` and read back
// with --schema FILE.json where the database is out of reach.
#include <nlohmann/json.hpp>

#include "pgsift/indexes.h"

namespace pgsift {

namespace {

using Json = nlohmann::ordered_json;

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
  if (doc.is_discarded() || !doc.is_object() || doc.value("schema", "") != "pgsift.schema.v1") {
    return Err(name + ": not a pgsift schema JSON (pgsift.schema.v1, from pgsift indexes --dump-schema)");
  }
  try {
    Schema s;
    s.source = doc.value("source", "files");
    s.collation = doc.value("collation", "");
    s.stats_seconds = doc.value("stats_seconds", int64_t{-1});
    for (const auto& jt : doc.at("tables")) {
      SchemaTable t;
      t.schema = jt.at("schema").get<std::string>();
      t.name = jt.at("name").get<std::string>();
      t.columns = jt.at("columns").get<std::vector<std::string>>();
      const auto& st = jt.at("stats");
      t.rows = st.at("rows").get<int64_t>();
      t.size_bytes = st.at("size_bytes").get<int64_t>();
      t.seq_scan = st.at("seq_scan").get<int64_t>();
      t.idx_scan = st.at("idx_scan").get<int64_t>();
      t.n_tup_ins = st.at("n_tup_ins").get<int64_t>();
      t.n_tup_upd = st.at("n_tup_upd").get<int64_t>();
      t.n_tup_del = st.at("n_tup_del").get<int64_t>();
      t.n_tup_hot_upd = st.value("n_tup_hot_upd", int64_t{-1});
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
        i.idx_scan = ji.at("idx_scan").get<int64_t>();
        i.size_bytes = ji.at("size_bytes").get<int64_t>();
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

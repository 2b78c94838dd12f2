#include "pgsift/schema.h"

#include <algorithm>

namespace pgsift {

bool SchemaTable::HasColumn(const std::string& column) const {
  return std::find(columns.begin(), columns.end(), column) != columns.end();
}

const SchemaTable* Schema::Find(const std::string& schema, const std::string& table) const {
  auto it = tables.find((schema.empty() ? "public" : schema) + "." + table);
  return it == tables.end() ? nullptr : &it->second;
}

SchemaTable* Schema::Find(const std::string& schema, const std::string& table) {
  auto it = tables.find((schema.empty() ? "public" : schema) + "." + table);
  return it == tables.end() ? nullptr : &it->second;
}

ColumnLookup Schema::Lookup() const {
  return [this](const std::string& schema, const std::string& table, const std::string& column) {
    const SchemaTable* t = Find(schema, table);
    return t != nullptr && t->HasColumn(column);
  };
}

}  // namespace pgsift

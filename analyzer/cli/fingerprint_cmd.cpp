// `pgsift fingerprint`: libpg_query fingerprints of SQL text.
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "pgsift/fingerprint.h"

namespace pgsift::cli {

namespace {

// `pgsift fingerprint`: whole input as one SQL text, or --jsonl batches.
int RunFingerprint(const std::string& path, bool jsonl) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (!path.empty() && path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      return Fail("cannot open ", path);
    }
    in = &file;
  }
  Fingerprinter fp(Fingerprinter::KeyMode::kLayout);
  auto emit = [](const Shape& s) {
    nlohmann::ordered_json j = {{"fingerprint", FingerprintHex(s.fingerprint)}, {"normalized", s.normalized}};
    if (s.fallback) {
      j["fallback"] = true;
      j["error"] = s.parse_error;
    }
    return j;
  };
  if (!jsonl) {
    std::string sql((std::istreambuf_iterator<char>(*in)), {});
    const Shape& s = fp.Fingerprint(sql);
    std::cout << emit(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  std::string line;
  uint64_t line_no = 0, bad = 0;
  while (std::getline(*in, line)) {
    ++line_no;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    std::string sql;
    if (j.is_string()) {
      sql = j.get<std::string>();
    } else if (j.is_object() && j.contains("query") && j["query"].is_string()) {
      sql = j["query"].get<std::string>();
    } else {
      Say("line ", line_no, ": expected a JSON string or {\"query\": ...}");
      std::cout << nlohmann::json{{"error", "line is not a JSON string or {\"query\": ...}"}}.dump() << "\n";
      ++bad;
      continue;
    }
    std::cout << emit(fp.Fingerprint(sql)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  return bad > 0 && bad == line_no ? kExitError : kExitOk;
}

}  // namespace

Command AddFingerprintCommand(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  auto jsonl = std::make_shared<bool>(false);
  CLI::App* fingerprint = app.add_subcommand("fingerprint", "libpg_query fingerprint and normalized text of SQL");
  fingerprint->add_option("file", *path, "SQL file (default: stdin)");
  fingerprint->add_flag("--jsonl", *jsonl, "One JSON string or {\"query\": ...} per line in, one result per line out");
  return {fingerprint, [path, jsonl] { return RunFingerprint(*path, *jsonl); }};
}

}  // namespace pgsift::cli

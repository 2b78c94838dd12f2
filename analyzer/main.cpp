// The CLI: subcommands and their options, nothing else.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "pgsift/analyze.h"
#include "pgsift/fingerprint.h"
#include "pgsift/reporter.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 2;

int RunAnalyze(pgsift::AnalyzeOptions options, const pgsift::TableOptions& table, const std::string& json_path,
               bool quiet) {
  if (isatty(STDERR_FILENO)) {
    options.progress = [](const std::string& name, uint64_t bytes) {
      std::cerr << "\r" << name << ": " << (bytes >> 20) << " MiB read" << std::flush;
    };
  }
  auto result = pgsift::Analyze(options);
  if (options.progress) std::cerr << "\r\033[K" << std::flush;
  if (!result.ok()) {
    std::cerr << "pgsift: " << result.error() << "\n";
    return kExitError;
  }
  for (const auto& in : result->inputs) {
    if (!in.error.empty()) std::cerr << "pgsift: " << in.name << ": " << in.error << "\n";
  }
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    if (!out) {
      std::cerr << "pgsift: cannot write " << json_path << "\n";
      return kExitError;
    }
    pgsift::WriteAnalyzeJson(*result, table, out);
  }
  if (!quiet) pgsift::WriteAnalyzeTable(*result, table, std::cout);
  if (!result->usable) {
    std::cerr << "pgsift: nothing usable was read\n";
    return kExitError;
  }
  return kExitOk;
}

// `pgsift fingerprint`: whole input as one SQL text, or --jsonl batches.
int RunFingerprint(const std::string& path, bool jsonl) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (!path.empty() && path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      std::cerr << "pgsift: cannot open " << path << "\n";
      return kExitError;
    }
    in = &file;
  }
  pgsift::Fingerprinter fp(pgsift::Fingerprinter::KeyMode::kLayout);
  auto emit = [](const pgsift::Shape& s) {
    nlohmann::ordered_json j = {{"fingerprint", pgsift::FingerprintHex(s.fingerprint)}, {"normalized", s.normalized}};
    if (s.fallback) {
      j["fallback"] = true;
      j["error"] = s.parse_error;
    }
    return j;
  };
  if (!jsonl) {
    std::string sql((std::istreambuf_iterator<char>(*in)), {});
    const pgsift::Shape& s = fp.Fingerprint(sql);
    std::cout << emit(s).dump() << "\n";
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
      std::cerr << "pgsift: line " << line_no << ": expected a JSON string or {\"query\": ...}\n";
      std::cout << nlohmann::json{{"error", "line is not a JSON string or {\"query\": ...}"}}.dump() << "\n";
      ++bad;
      continue;
    }
    std::cout << emit(fp.Fingerprint(sql)).dump() << "\n";
  }
  return bad > 0 && bad == line_no ? kExitError : kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pgsift: PostgreSQL query-performance analyzer and regression guard"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pgsift 0.1.0");

  pgsift::AnalyzeOptions options;
  pgsift::TableOptions table;
  std::string json_path, format = "auto", since, until;
  bool quiet = false;
  CLI::App* analyze = app.add_subcommand("analyze", "Aggregate server logs per query fingerprint");
  analyze->add_option("files", options.inputs, "Log files (plain, .gz, .bz2, .xz, .zst); - for stdin")->required();
  analyze->add_option("--format", format, "auto, stderr, csv, json, syslog")->default_val("auto");
  analyze->add_option("--prefix", options.prefix, "log_line_prefix of stderr/syslog logs (default: detect)");
  analyze->add_option("--top", table.top, "Queries shown in the table")->default_val(20);
  analyze->add_option("--sort", table.sort, "total, mean, calls, max, p95, errors")
      ->default_val("total")
      ->check(CLI::IsMember({"total", "mean", "calls", "max", "p95", "errors"}));
  analyze->add_option("--json", json_path, "Write the JSON report (schema pgsift.analyze.v1) to this file");
  analyze->add_option("--database", options.filters.databases, "Only this database (repeatable)");
  analyze->add_option("--user", options.filters.users, "Only this user (repeatable)");
  analyze->add_option("--application", options.filters.applications, "Only this application_name (repeatable)");
  analyze->add_option("--since", since, "Only events at or after this time ('2026-11-23 08:00:00 UTC')");
  analyze->add_option("--until", until, "Only events before this time");
  analyze->add_option("--width", table.width, "Table width in columns")->default_val(120);
  analyze->add_flag("--quiet,-q", quiet, "No table on stdout (with --json)");

  std::string fp_path;
  bool jsonl = false;
  CLI::App* fingerprint = app.add_subcommand("fingerprint", "libpg_query fingerprint and normalized text of SQL");
  fingerprint->add_option("file", fp_path, "SQL file (default: stdin)");
  fingerprint->add_flag("--jsonl", jsonl, "One JSON string or {\"query\": ...} per line in, one result per line out");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitError;
  }

  if (*analyze) {
    auto fmt = pgsift::ParseLogFormat(format);
    if (!fmt.ok()) {
      std::cerr << "pgsift: --format: " << fmt.error() << "\n";
      return kExitError;
    }
    options.format = *fmt;
    options.prefix_given = analyze->count("--prefix") > 0;
    for (auto [text, dst] : {std::pair{&since, &options.filters.since_us}, std::pair{&until, &options.filters.until_us}}) {
      if (text->empty()) continue;
      *dst = pgsift::ParseLogTimestamp(*text);
      if (*dst == pgsift::kNoTime) {
        std::cerr << "pgsift: cannot read time '" << *text << "' (use 'YYYY-MM-DD HH:MM:SS[ TZ]')\n";
        return kExitError;
      }
    }
    return RunAnalyze(std::move(options), table, json_path, quiet);
  }
  if (*fingerprint) return RunFingerprint(fp_path, jsonl);
  return kExitError;
}

// The session setup every reader shares (see session.h).
#include "session.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>
#include <vector>

#include "pgsift/own_statements.h"

namespace pgsift {
namespace db {

namespace {

struct DsnOption {
  std::string keyword, value;
};

// The settings of a conninfo string or URI exactly as libpq reads them (the
// last of repeated keywords wins, quotes and escapes resolved, URI parts
// percent-decoded); nullopt when libpq cannot parse it.
std::optional<std::vector<DsnOption>> ParseDsn(std::string_view dsn) {
  std::string text(dsn);
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(text.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  if (options == nullptr) return std::nullopt;
  std::vector<DsnOption> out;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val != nullptr) out.push_back({o->keyword, o->val});
  }
  PQconninfoFree(options);
  return out;
}

// A dbname that libpq would read as a connection string of its own in
// contexts that expand it (PQconnectdbParams with expand_dbname).
bool LooksLikeConninfo(std::string_view value) {
  return value.starts_with("postgres://") || value.starts_with("postgresql://") ||
         value.find('=') != std::string_view::npos;
}

// Settings pgsift adds for bounded waits (WithConnectDefaults): not shown.
bool IsTuning(std::string_view keyword) {
  return keyword == "connect_timeout" || keyword.starts_with("keepalives") || keyword == "tcp_user_timeout" ||
         keyword == "application_name";
}

std::string Quoted(std::string_view value) {
  bool plain = !value.empty() && value.find_first_of(" \t\n\\'") == std::string_view::npos;
  if (plain) return std::string(value);
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

// The password-free display of parsed settings; a dbname that is itself a
// connection string is shown the same way, one level deep (libpq expands
// it at most once).
std::string Display(const std::vector<DsnOption>& options, int depth) {
  std::string out;
  for (const DsnOption& o : options) {
    if (IsTuning(o.keyword)) continue;
    std::string value;
    if (o.keyword == "password" || o.keyword == "sslpassword") {
      value = "***";
    } else if (o.keyword == "dbname" && LooksLikeConninfo(o.value)) {
      auto inner = depth == 0 ? ParseDsn(o.value) : std::nullopt;
      value = inner ? Quoted(Display(*inner, depth + 1)) : "***";
    } else {
      value = Quoted(o.value);
    }
    out += (out.empty() ? "" : " ") + o.keyword + "=" + value;
  }
  return out;
}

// The password as written in key=value text, for DSNs libpq cannot parse
// (their error message may still quote a part of it).
std::string RawPasswordOf(std::string_view dsn) {
  size_t p = dsn.find("password");
  while (p != std::string_view::npos) {
    size_t eq = dsn.find_first_not_of(' ', p + 8);
    if (eq != std::string_view::npos && dsn[eq] == '=') {
      size_t v = dsn.find_first_not_of(' ', eq + 1);
      if (v == std::string_view::npos) return "";
      if (dsn[v] == '\'') {
        size_t end = dsn.find('\'', v + 1);
        return std::string(dsn.substr(v + 1, end == std::string_view::npos ? end : end - v - 1));
      }
      size_t end = dsn.find(' ', v);
      return std::string(dsn.substr(v, end == std::string_view::npos ? end : end - v));
    }
    p = dsn.find("password", p + 8);
  }
  size_t scheme = dsn.find("://");
  if (scheme != std::string_view::npos) {
    size_t at = dsn.find('@', scheme + 3);
    std::string_view userinfo = dsn.substr(scheme + 3, at == std::string_view::npos ? 0 : at - scheme - 3);
    size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) return std::string(userinfo.substr(colon + 1));
  }
  return "";
}

}  // namespace

std::vector<std::string> PasswordsOf(std::string_view dsn) {
  std::vector<std::string> out;
  auto add = [&](std::string p) {
    if (p.empty()) return;
    // Also as written inside quotes, with backslash escapes.
    std::string escaped;
    for (char c : p) {
      if (c == '\\' || c == '\'') escaped.push_back('\\');
      escaped.push_back(c);
    }
    for (std::string* v : {&escaped, &p}) {
      if (std::find(out.begin(), out.end(), *v) == out.end()) out.push_back(*v);
    }
  };
  if (auto options = ParseDsn(dsn)) {
    for (const DsnOption& o : *options) {
      if (o.keyword == "password" || o.keyword == "sslpassword") add(o.value);
      if (o.keyword == "dbname" && LooksLikeConninfo(o.value)) {
        if (auto inner = ParseDsn(o.value)) {
          for (const DsnOption& i : *inner) {
            if (i.keyword == "password" || i.keyword == "sslpassword") add(i.value);
          }
        }
      }
    }
  }
  // And as written: an earlier password= that a later one overrode, an
  // escaped or percent-encoded form (libpq's messages quote the text).
  add(RawPasswordOf(dsn));
  // Longest first: a password that contains another is masked whole.
  std::stable_sort(out.begin(), out.end(),
                   [](const std::string& x, const std::string& y) { return x.size() > y.size(); });
  return out;
}

std::string Redact(std::string text, const std::string& password) {
  if (password.empty()) return text;
  for (size_t p = text.find(password); p != std::string::npos; p = text.find(password, p + 3)) {
    text.replace(p, password.size(), "***");
  }
  return text;
}

std::string Where(const std::string& dsn) { return RedactDsn(dsn); }

std::string WithConnectDefaults(const std::string& dsn) {
  auto parsed = ParseDsn(dsn);
  if (!parsed) return dsn;  // libpq refuses it with its own (redacted) message
  std::set<std::string> given;
  std::string out;
  for (const DsnOption& o : *parsed) {
    if (o.keyword == "application_name") continue;  // replaced below
    given.insert(o.keyword);
    std::string value = "'";
    for (char c : o.value) {
      if (c == '\\' || c == '\'') value.push_back('\\');
      value.push_back(c);
    }
    value.push_back('\'');
    out += (out.empty() ? "" : " ") + o.keyword + "=" + value;
  }
  auto add = [&](const char* keyword, const std::string& value) {
    if (given.count(keyword)) return;
    out += (out.empty() ? "" : " ") + std::string(keyword) + "=" + value;
  };
  // A service file or PGCONNECT_TIMEOUT may set the connect timeout: ours
  // would override them, so it is added only when neither is there.
  if (!given.count("service") && std::getenv("PGSERVICE") == nullptr && std::getenv("PGCONNECT_TIMEOUT") == nullptr) {
    add("connect_timeout", std::to_string(DefaultConnectTimeout()));
  }
  // Ours even when the DSN names another (dropped above): the server logs
  // the session's lines under it from its first (connection authorized) on.
  add("application_name", "'" + PgsiftApplicationName() + "'");
  add("keepalives", "1");
  add("keepalives_idle", "30");
  add("keepalives_interval", "10");
  add("keepalives_count", "3");
  add("tcp_user_timeout", "60000");
  return out;
}

int DefaultConnectTimeout() {
  if (const char* env = std::getenv("PGSIFT_CONNECT_TIMEOUT")) {
    char* end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end != env && *end == 0 && v >= 1 && v <= 3600) return static_cast<int>(v);
  }
  return 10;
}

void SetUpReadOnly(const ConnectOptions& options, const std::function<void(const std::string&)>& exec) {
  // Before anything else: this session can change nothing and wait on nothing for long.
  for (const std::string& sql : SessionSetupSql(options, /*writable=*/false)) exec(sql);
}

std::string WhatOf(const std::exception& e) { return e.what(); }

std::string Own(std::string_view sql) {
  // After the first keyword (IsPgsiftText): "SET /* pgsift */ lock_timeout = ...".
  size_t p = sql.find_first_not_of(" \t\r\n");
  size_t q = p;
  while (q < sql.size() && ((sql[q] | 0x20) >= 'a' && (sql[q] | 0x20) <= 'z')) ++q;
  if (p == std::string_view::npos || q == p) return std::string(kPgsiftTag) + " " + std::string(sql);
  return std::string(sql.substr(0, q)) + " " + std::string(kPgsiftTag) + std::string(sql.substr(q));
}

std::string RedactAll(std::string text, std::string_view dsn) {
  for (const std::string& p : PasswordsOf(dsn)) text = Redact(std::move(text), p);
  return text;
}

}  // namespace db

std::string RedactDsn(std::string_view dsn) {
  if (dsn.empty()) return "the PG* environment";
  auto options = db::ParseDsn(dsn);
  if (!options) return "(a connection string libpq cannot parse; not shown)";
  std::string shown = db::Display(*options, 0);
  return shown.empty() ? "the PG* environment" : shown;
}

std::string ResolveDsn(const ConnectOptions& options) {
  if (!options.dsn.empty()) return db::WithConnectDefaults(options.dsn);
  const char* url = std::getenv("DATABASE_URL");
  return db::WithConnectDefaults(url != nullptr ? url : "");
}

namespace {
std::string& CommandName() {
  static std::string name;
  return name;
}
}  // namespace

void SetPgsiftCommand(std::string_view command) {
  CommandName().clear();
  for (char c : command) {
    if ((c >= 'a' && c <= 'z') || c == '-' || c == '_') CommandName().push_back(c);
  }
}

std::string PgsiftApplicationName() { return CommandName().empty() ? "pgsift" : "pgsift/" + CommandName(); }

std::vector<std::string> SessionSetupSql(const ConnectOptions& options, bool writable) {
  std::vector<std::string> out = {"SET application_name = '" + PgsiftApplicationName() + "'"};
  if (!writable) out.push_back("SET default_transaction_read_only = on");
  out.push_back("SET statement_timeout = " + std::to_string(options.statement_timeout_ms));
  out.push_back("SET lock_timeout = " + std::to_string(options.lock_timeout_ms));
  out.push_back("SET idle_in_transaction_session_timeout = " + std::to_string(options.statement_timeout_ms));
  out.push_back("SET standard_conforming_strings = on");
  out.push_back("SET client_encoding = 'UTF8'");
  for (std::string& sql : out) sql = db::Own(sql);
  return out;
}

std::string RedactError(std::string message, std::string_view dsn) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return db::RedactAll(std::move(message), dsn);
}

}  // namespace pgsift

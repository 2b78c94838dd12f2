// The session setup every reader shares (see session.h).
#include "db/session.h"

#include <cstdlib>

#include "db/server_message.h"

namespace pgsift {
namespace db {

// The password in a DSN, or "" (key=value "password=..." or URI user:pw@).
std::string PasswordOf(std::string_view dsn) {
  if (dsn.starts_with("postgres://") || dsn.starts_with("postgresql://")) {
    size_t start = dsn.find("://") + 3;
    size_t at = dsn.find('@', start);
    size_t slash = dsn.find('/', start);
    if (at != std::string_view::npos && (slash == std::string_view::npos || at < slash)) {
      std::string_view userinfo = dsn.substr(start, at - start);
      size_t colon = userinfo.find(':');
      if (colon != std::string_view::npos) return std::string(userinfo.substr(colon + 1));
    }
    size_t q = dsn.find("password=");
    if (q != std::string_view::npos) {
      size_t end = dsn.find('&', q);
      return std::string(dsn.substr(q + 9, end == std::string_view::npos ? end : end - q - 9));
    }
    return "";
  }
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
  return "";
}

std::string Redact(std::string text, const std::string& password) {
  if (password.empty()) return text;
  for (size_t p = text.find(password); p != std::string::npos; p = text.find(password, p + 3)) {
    text.replace(p, password.size(), "***");
  }
  return text;
}

std::string Where(const std::string& dsn) { return dsn.empty() ? "the PG* environment" : RedactDsn(dsn); }

void SetUpReadOnly(const ConnectOptions& options, const std::function<void(const std::string&)>& exec) {
  // Before anything else: this session can change nothing and wait on nothing for long.
  for (const std::string& sql : SessionSetupSql(options, /*writable=*/false)) exec(sql);
}

std::string ErrorText(const std::string& where, const std::exception& e, const std::string& password) {
  // Every line of the server's message, values redacted, statement text dropped.
  return Redact(where + ": " + RedactServerText(e.what()), password);
}

}  // namespace db

std::string RedactDsn(std::string_view dsn) { return db::Redact(std::string(dsn), db::PasswordOf(dsn)); }

std::string ResolveDsn(const ConnectOptions& options) {
  if (!options.dsn.empty()) return options.dsn;
  const char* url = std::getenv("DATABASE_URL");
  return url != nullptr ? url : "";
}

std::vector<std::string> SessionSetupSql(const ConnectOptions& options, bool writable) {
  std::vector<std::string> out = {"SET application_name = 'pgsift'"};
  if (!writable) out.push_back("SET default_transaction_read_only = on");
  out.push_back("SET statement_timeout = " + std::to_string(options.statement_timeout_ms));
  out.push_back("SET lock_timeout = " + std::to_string(options.lock_timeout_ms));
  out.push_back("SET idle_in_transaction_session_timeout = " + std::to_string(options.statement_timeout_ms));
  return out;
}

std::string RedactError(std::string message, std::string_view dsn) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return db::Redact(std::move(message), db::PasswordOf(dsn));
}

}  // namespace pgsift

// Result<T>: a value or an error message. clang 14 with libstdc++ cannot use
// std::expected, so this is our own small type. Expected failures (unreadable
// file, bad option, unparseable prefix) travel as Result; exceptions are used
// only at third-party boundaries and caught once in main.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace pgsift {

struct Error {
  std::string message;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const std::string& error() const { return std::get<1>(v_).message; }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;

inline Error Err(std::string message) { return Error{std::move(message)}; }

}  // namespace pgsift

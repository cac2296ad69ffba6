// Status and Result<T>: how fallible calls report failure across module boundaries.
// No exceptions cross a module boundary; a library's exceptions are caught by the
// connector that calls it and turned into a Status here.
//
// Both types are [[nodiscard]]: with -Werror, ignoring one is a build error. Ignoring
// on purpose is written out: `status.IgnoreError();`.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace closeloop {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong; retrying will not help
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // a create found the thing already there
  kFailedPrecondition,  // the system is not in a state that allows this
  kAborted,             // a concurrency conflict (stale version); retry may succeed
  kCorruption,          // stored data failed a check (hash, verifier, format)
  kIOError,             // the OS or storage failed
  kUnavailable,         // a dependency is down; retry later
  kPermissionDenied,    // authenticated, not allowed
  kUnauthenticated,     // no or bad credentials
  kResourceExhausted,   // a limit was hit (size, rate)
  kDeadlineExceeded,    // a wait ran out
  kInternal,            // a bug
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "NotFound: ticket T-1"; "OK" when ok.
  std::string ToString() const;

  // Prefixes the message with context: "reading partition 2: <message>".
  Status Annotate(std::string_view context) const;

  void IgnoreError() const {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return Status(Code::kInvalidArgument, std::move(m));
}
inline Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
inline Status AlreadyExists(std::string m) { return Status(Code::kAlreadyExists, std::move(m)); }
inline Status FailedPrecondition(std::string m) {
  return Status(Code::kFailedPrecondition, std::move(m));
}
inline Status Aborted(std::string m) { return Status(Code::kAborted, std::move(m)); }
inline Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
inline Status IOError(std::string m) { return Status(Code::kIOError, std::move(m)); }
inline Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
inline Status PermissionDenied(std::string m) {
  return Status(Code::kPermissionDenied, std::move(m));
}
inline Status ResourceExhausted(std::string m) {
  return Status(Code::kResourceExhausted, std::move(m));
}
inline Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

// Result<T>: a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace closeloop

// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define CL_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::closeloop::Status cl_status_ = (expr); \
    if (!cl_status_.ok()) return cl_status_; \
  } while (0)

#define CL_CONCAT_INNER_(a, b) a##b
#define CL_CONCAT_(a, b) CL_CONCAT_INNER_(a, b)
// CL_ASSIGN_OR_RETURN(auto x, ResultExpr()): binds the value or returns the Status.
#define CL_ASSIGN_OR_RETURN(lhs, expr) \
  CL_ASSIGN_OR_RETURN_IMPL_(CL_CONCAT_(cl_result_, __LINE__), lhs, expr)
#define CL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#pragma once
// The one exception type core throws for bad input or failed I/O; its message is shown to users as-is.
#include <stdexcept>
#include <string>

namespace needlescope {

class Error : public std::runtime_error {
  public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A write that failed for lack of space or an I/O error: what was written before is intact, so work
// stopped by it can be resumed once the cause is fixed (training marks its runs interrupted, not failed).
class StorageError : public Error {
  public:
    using Error::Error;
};

}  // namespace needlescope

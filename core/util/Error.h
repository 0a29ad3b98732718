#pragma once
// The one exception type core throws for bad input or failed I/O; its message is shown to users as-is.
#include <stdexcept>
#include <string>

namespace needlescope {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace needlescope
